/**
 * Fn's API metrics (`lb-runner.md` §6.6): `fn_api_request_count{method,path}`,
 * `fn_api_response_count` and the `fn_api_latency` histogram, both labelled
 * `{blame,fn_fdk_version,method,path,status}`. `path` is Fn's route template for the
 * matched route (`/invoke/:fn_id`, see {@linkcode fnPathLabel}), or `invalid` when no
 * route matched, so label values stay bounded.
 *
 * The HTTP handler reports three moments: the route matched ({@linkcode ApiMetrics.routed}),
 * an error became a response ({@linkcode markErrorBlame}), and the response head is
 * ready ({@linkcode ApiMetrics.responded}).
 *
 * @module
 */

import type client from "prom-client";
import type { ErrorBlame } from "../models/api_error.ts";
import { registry as sharedRegistry } from "./registry.ts";
import { counter, fnHistogram, LATENCY_BUCKETS_MS } from "./families.ts";
import type { StrictHistogram } from "./strict_histogram.ts";

/** The `path` label of requests that matched no route. */
export const INVALID_PATH = "invalid";

type ResponseLabels = "blame" | "fn_fdk_version" | "method" | "path" | "status";

/** Methods outside this set are counted as `OTHER`, so a client cannot mint label values. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Responses made from a service-blamed error (weak, so nothing is kept per request). */
const serviceBlamed = new WeakSet<Response>();

/**
 * Remembers who is to blame for the error `res` was made from: `service` unless the
 * error says the function (user) caused it. Returns `res`.
 */
export function markErrorBlame(res: Response, err: unknown): Response {
  const blame = (err as { blame?: ErrorBlame } | null)?.blame;
  if (blame !== "user") serviceBlamed.add(res);
  return res;
}

/** fnd's route parameter names → Fn's (v0.3.753 `server.go` names them in snake_case). */
const FN_PARAM_NAMES: Readonly<Record<string, string>> = {
  appID: "app_id",
  appName: "app_name",
  fnID: "fn_id",
  triggerID: "trigger_id",
  triggerType: "trigger_type",
  callID: "call_id",
  source: "trigger_source",
};

/**
 * Routes that share their handler with an earlier one in Fn: Fn finds the label by
 * handler name and the first route with that handler wins, so both trigger routes
 * count as `/t/:app_name` and the three gone `calls` routes as `/v2/fns/:fn_id/calls`.
 */
const SHARED_HANDLER_PATHS: Readonly<Record<string, string>> = {
  "/t/:app_name/*trigger_source": "/t/:app_name",
  "/v2/fns/:fn_id/calls/:call_id": "/v2/fns/:fn_id/calls",
  "/v2/fns/:fn_id/calls/:call_id/log": "/v2/fns/:fn_id/calls",
};

/**
 * The `path` label Fn gives a request matched by fnd's route `template`
 * (`lb-runner.md` §6.6): Fn's parameter names (`/v2/apps/:appID` → `/v2/apps/:app_id`),
 * and the first route of a shared handler (`/t/:appName/*source` → `/t/:app_name`).
 */
export function fnPathLabel(template: string): string {
  const path = template.replace(
    /([:*])(\w+)/g,
    (_, sigil: string, name: string) => sigil + (FN_PARAM_NAMES[name] ?? name),
  );
  return SHARED_HANDLER_PATHS[path] ?? path;
}

/** The API metric families on one registry. */
export class ApiMetrics {
  readonly requests: client.Counter<"method" | "path">;
  readonly responses: client.Counter<ResponseLabels>;
  /** Fn's strict bucketing (a sample on a bound counts under the next `le`). */
  readonly latency: StrictHistogram<ResponseLabels>;
  /** Route template → `path` label. */
  readonly #labels = new Map<string, string>();
  readonly #fdkVersions = new Set<string>();

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    this.requests = counter(registry, "fn_api_request_count", "Count of API requests started", [
      "method",
      "path",
    ]);
    const labels: ResponseLabels[] = ["blame", "fn_fdk_version", "method", "path", "status"];
    this.responses = counter(registry, "fn_api_response_count", "API response count", labels);
    this.latency = fnHistogram(
      registry,
      "fn_api_latency",
      "Latency distribution of API requests",
      LATENCY_BUCKETS_MS,
      labels,
    );
  }

  /**
   * Counts a request whose route matched `template` (e.g. `/v2/apps/:appID`, counted
   * as Fn's `/v2/apps/:app_id`); returns its `path` label for {@linkcode responded}.
   */
  routed(method: string, template: string): string {
    let path = this.#labels.get(template);
    if (path === undefined) {
      path = fnPathLabel(template);
      this.#labels.set(template, path);
    }
    this.requests.inc({ method: methodLabel(method), path });
    return path;
  }

  /**
   * Counts the response to a request and its latency in whole ms since `startedMs`
   * (a `performance.now()` value). `path` is what {@linkcode routed} returned;
   * undefined when no route matched (counted as `invalid`).
   */
  responded(method: string, path: string | undefined, res: Response, startedMs: number): void {
    const methodValue = methodLabel(method);
    if (path === undefined) {
      path = INVALID_PATH;
      this.requests.inc({ method: methodValue, path });
    }
    const labels = {
      // Only error responses are ever marked (markErrorBlame).
      blame: res.status >= 400 && serviceBlamed.has(res) ? "service" : "user",
      "fn_fdk_version": this.#fdkVersion(res.headers.get("fn-fdk-version")),
      method: methodValue,
      path,
      status: String(res.status),
    };
    this.responses.inc(labels);
    this.latency.observe(labels, Math.floor(performance.now() - startedMs));
  }

  /**
   * The FDK version as a label value. Functions choose this header, so only the first
   * {@linkcode MAX_FDK_VERSIONS} distinct short values are kept; the rest count as `other`.
   */
  #fdkVersion(value: string | null): string {
    if (value === null || value === "") return "";
    if (this.#fdkVersions.has(value)) return value;
    if (value.length > 64 || this.#fdkVersions.size >= MAX_FDK_VERSIONS) return "other";
    this.#fdkVersions.add(value);
    return value;
  }
}

/** How many distinct `fn_fdk_version` label values are kept. */
export const MAX_FDK_VERSIONS = 32;

function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "OTHER";
}

let shared: ApiMetrics | undefined;

/** The process-wide {@linkcode ApiMetrics} on the shared registry. */
export function apiMetrics(): ApiMetrics {
  shared ??= new ApiMetrics();
  return shared;
}
