/**
 * Entity lookups over an API node's HTTP API, for LB nodes without a datastore
 * (`FN_RUNNER_API_URL`, Fn's "hybrid" client, `lb-runner.md` §3.9): `GET
 * /v2/apps?name=`, `/v2/apps/{id}`, `/v2/fns/{id}` and `/v2/runner/apps/{appID}/
 * triggerBySource/http//{source}`. Answers are cached for 5 s (successes only) and
 * concurrent misses of one key share one request. Server errors and transport
 * failures are retried 5 times with jittered backoff; a 4xx answer is final and keeps
 * the API node's status and message (so an unknown fn is a 404, as on a full node).
 *
 * @module
 */

import { parseJsonExact } from "../models/exact_json.ts";
import type { EntityLookup } from "../api/route_context.ts";
import { APIError, appNotFound } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";

/** Options of {@linkcode ApiNodeLookup}. */
export interface ApiNodeLookupOptions {
  /** How long an answer is reused. @default {5000} */
  readonly cacheMs?: number;
  /** Retries after a 5xx or a transport error. @default {5} */
  readonly retries?: number;
  /** Per-request timeout. @default {60000} */
  readonly timeoutMs?: number;
}

interface CacheEntry {
  readonly value: Promise<unknown>;
  expiresAt: number;
}

/** Reads apps, fns and triggers from an API node. */
export class ApiNodeLookup implements EntityLookup {
  readonly #base: URL;
  readonly #cacheMs: number;
  readonly #retries: number;
  readonly #timeoutMs: number;
  readonly #cache = new Map<string, CacheEntry>();

  /**
   * @param apiUrl the API node, e.g. `http://api:8080`; only scheme and host are used
   * @throws {TypeError} `no host specified for client` when the URL has no host
   */
  constructor(apiUrl: string, options: ApiNodeLookupOptions = {}) {
    const url = new URL(apiUrl.includes("://") ? apiUrl : `http://${apiUrl}`);
    if (url.host === "") throw new TypeError("no host specified for client");
    this.#base = new URL(`${url.protocol}//${url.host}/v2/`);
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#retries = options.retries ?? 5;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** See {@linkcode EntityLookup}. */
  getAppById(id: string): Promise<App> {
    return this.#cached(`app:${id}`, async () => toApp(await this.#get(`apps/${enc(id)}`)));
  }

  /** See {@linkcode EntityLookup}. */
  getAppByName(name: string): Promise<App> {
    return this.#cached(`app-name:${name}`, async () => {
      const page = await this.#get(`apps?name=${enc(name)}`) as { items?: unknown[] };
      const first = page.items?.[0];
      if (first === undefined) throw appNotFound();
      return toApp(first);
    });
  }

  /** See {@linkcode EntityLookup}. */
  getFnById(id: string): Promise<Fn> {
    return this.#cached(`fn:${id}`, async () => toFn(await this.#get(`fns/${enc(id)}`)));
  }

  /** See {@linkcode EntityLookup}. The source keeps its `/`, giving Fn's `//`. */
  getTriggerBySource(appId: string, type: string, source: string): Promise<Trigger> {
    const path = `runner/apps/${enc(appId)}/triggerBySource/${enc(type)}/` +
      source.split("/").map(enc).join("/");
    return this.#cached(
      `trigger:${appId}:${type}:${source}`,
      async () => toTrigger(await this.#get(path)),
    );
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && now < hit.expiresAt) return hit.value as Promise<T>;
    if (this.#cache.size > 10_000) this.#sweep(now);
    // Pending loads never expire, so concurrent misses share them.
    const entry: CacheEntry = { value: load(), expiresAt: Infinity };
    this.#cache.set(key, entry);
    entry.value.then(
      () => entry.expiresAt = Date.now() + this.#cacheMs,
      () => this.#cache.get(key) === entry && this.#cache.delete(key),
    );
    return entry.value as Promise<T>;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#cache) if (now >= entry.expiresAt) this.#cache.delete(key);
  }

  async #get(path: string): Promise<unknown> {
    const url = new URL(path, this.#base);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await delay(25 + Math.random() * (2 ** attempt - 1) * 50);
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (err) {
        lastError = err;
        continue;
      }
      const text = await res.text();
      // Annotation numbers keep their spelling (12345678901234567890 is not rounded).
      if (res.status < 300) return parseJsonExact(text);
      const message = messageOf(text) ?? `HTTP ${res.status}`;
      if (res.status < 500) throw new APIError(res.status, message);
      lastError = new Error(`API node ${url} answered ${res.status}: ${message}`);
    }
    throw new Error(`cannot read ${url} from the API node: ${String(lastError)}`, {
      cause: lastError,
    });
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(text: string): string | undefined {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

type Wire = Record<string, unknown>;

function str(w: Wire, key: string): string {
  const v = w[key];
  return typeof v === "string" ? v : "";
}

function num(w: Wire, key: string, fallback: number): number {
  const v = w[key];
  return typeof v === "number" ? v : fallback;
}

function map<T>(w: Wire, key: string): Record<string, T> {
  const v = w[key];
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, T> : {};
}

function time(w: Wire, key: string): Date {
  const ms = Date.parse(str(w, key));
  return new Date(Number.isNaN(ms) ? 0 : ms);
}

function toApp(value: unknown): App {
  const w = value as Wire;
  const syslogUrl = str(w, "syslog_url");
  const shape = str(w, "shape");
  return {
    id: str(w, "id"),
    name: str(w, "name"),
    config: map<string>(w, "config"),
    annotations: map<unknown>(w, "annotations"),
    ...(syslogUrl ? { syslogUrl } : {}),
    ...(shape ? { shape } : {}),
    createdAt: time(w, "created_at"),
    updatedAt: time(w, "updated_at"),
  };
}

function toFn(value: unknown): Fn {
  const w = value as Wire;
  const shape = str(w, "shape");
  return {
    id: str(w, "id"),
    name: str(w, "name"),
    appId: str(w, "app_id"),
    image: str(w, "image"),
    memoryMb: num(w, "memory", 128),
    timeoutSeconds: num(w, "timeout", 30),
    idleTimeoutSeconds: num(w, "idle_timeout", 30),
    config: map<string>(w, "config"),
    annotations: map<unknown>(w, "annotations"),
    ...(shape ? { shape } : {}),
    createdAt: time(w, "created_at"),
    updatedAt: time(w, "updated_at"),
  };
}

function toTrigger(value: unknown): Trigger {
  const w = value as Wire;
  return {
    id: str(w, "id"),
    name: str(w, "name"),
    appId: str(w, "app_id"),
    fnId: str(w, "fn_id"),
    type: str(w, "type"),
    source: str(w, "source"),
    annotations: map<unknown>(w, "annotations"),
    createdAt: time(w, "created_at"),
    updatedAt: time(w, "updated_at"),
  };
}
