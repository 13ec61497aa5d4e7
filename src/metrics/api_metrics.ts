/**
 * Fn's API metrics (`lb-runner.md` §6.6): `fn_api_request_count{method,path}`,
 * `fn_api_response_count` and the `fn_api_latency` histogram, both labelled
 * `{blame,fn_fdk_version,method,path,status}`. `path` is the matched route template
 * (`/invoke/:fnID`), or `invalid` when no route matched, so label values stay bounded.
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

/** The API metric families on one registry. */
export class ApiMetrics {
  readonly requests: client.Counter<"method" | "path">;
  readonly responses: client.Counter<ResponseLabels>;
  /** Fn's strict bucketing (a sample on a bound counts under the next `le`). */
  readonly latency: StrictHistogram<ResponseLabels>;
  readonly #templates = new WeakMap<Request, string>();
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

  /** Counts a request whose route matched `template` (e.g. `/v2/apps/:appID`). */
  routed(req: Request, template: string): void {
    this.#templates.set(req, template);
    this.requests.inc({ method: methodLabel(req.method), path: template });
  }

  /**
   * Counts the response to `req` and its latency in whole ms since `startedMs`
   * (a `performance.now()` value). Requests that matched no route count as `invalid`.
   */
  responded(req: Request, res: Response, startedMs: number): void {
    const method = methodLabel(req.method);
    let path = this.#templates.get(req);
    if (path === undefined) {
      path = INVALID_PATH;
      this.requests.inc({ method, path });
    }
    const labels = {
      blame: serviceBlamed.has(res) ? "service" : "user",
      "fn_fdk_version": this.#fdkVersion(res.headers.get("fn-fdk-version")),
      method,
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
