/**
 * `models_call_json`, the call description an LB sends a runner in `TryCall`: the JSON
 * of Fn's `models.Call` (`lb-runner.md` §1.3), with the same keys, key order and
 * omit-empty rules, so a Go runner accepts what fnd sends and fnd accepts what a Go
 * LB sends. fnd adds one key Go ignores: `fn_name`.
 *
 * @module
 */

import type { CallRequest } from "../agent/call.ts";
import { headerEntries } from "./canonical_header.ts";

/** The JSON object in `TryCall.models_call_json`. Optional keys are omitted when empty. */
export interface CallModel {
  readonly id: string;
  readonly status: string;
  readonly image?: string;
  readonly type?: string;
  readonly url?: string;
  readonly method?: string;
  /** Seconds. */
  readonly timeout?: number;
  /** Seconds. */
  readonly "idle_timeout"?: number;
  /** MB. */
  readonly memory?: number;
  readonly config?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  readonly "syslog_url"?: string;
  readonly "completed_at": string;
  readonly "created_at": string;
  readonly "started_at"?: string;
  /** ns of user execution on earlier attempts (NACKs that ran something). */
  readonly "execution_duration"?: number;
  readonly "app_id": string;
  readonly "app_name": string;
  readonly "trigger_id": string;
  readonly "fn_id": string;
  /** fnd extension: the function's name (Go runners ignore it). */
  readonly "fn_name"?: string;
}

/** Go's zero `time.Time`, which Fn always serializes for `completed_at`. */
export const ZERO_TIME = "0001-01-01T00:00:00.000Z";

/** Builds the model of `call` for one attempt, as Fn's LB does after `call.Start()`. */
export function buildCallModel(call: CallRequest, startedAt: Date, executionNs = 0): CallModel {
  const { app, fn } = call;
  const config = sortKeys({
    ...app.config,
    ...fn.config,
    FN_MEMORY: String(fn.memoryMb),
    FN_TYPE: "sync",
    FN_FN_ID: fn.id,
    FN_APP_ID: app.id,
  });
  const annotations = sortKeys({ ...app.annotations, ...fn.annotations });
  const headers: Record<string, string[]> = {};
  for (const [key, value] of headerEntries(call.headers)) (headers[key] ??= []).push(value);
  return omitEmpty({
    id: call.id,
    status: "running",
    image: fn.image,
    type: call.type,
    url: call.url,
    method: call.method,
    timeout: fn.timeoutSeconds,
    idle_timeout: fn.idleTimeoutSeconds,
    memory: fn.memoryMb,
    config,
    annotations,
    headers,
    syslog_url: app.syslogUrl ?? "",
    completed_at: ZERO_TIME,
    created_at: call.createdAt.toISOString(),
    started_at: startedAt.toISOString(),
    execution_duration: executionNs,
    app_id: app.id,
    app_name: app.name,
    trigger_id: call.triggerId,
    fn_id: fn.id,
    fn_name: fn.name,
  }) as unknown as CallModel;
}

/** Keys Go serializes even when empty (no `omitempty`). */
const ALWAYS = new Set([
  "id",
  "status",
  "completed_at",
  "created_at",
  "app_id",
  "app_name",
  "trigger_id",
  "fn_id",
]);

function omitEmpty(model: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(model)) {
    if (ALWAYS.has(key) || !isEmpty(value)) out[key] = value;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0) return true;
  return typeof value === "object" && Object.keys(value).length === 0;
}

function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key]!;
  return out;
}

/** A `models_call_json` that cannot be used. */
export class CallModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CallModelError";
  }
}

/**
 * Parses and checks `models_call_json` from an LB.
 *
 * @throws {CallModelError} naming the first bad key
 */
export function parseCallModel(json: string): CallModel {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new CallModelError(`models_call_json is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CallModelError("models_call_json must be a JSON object");
  }
  const m = value as Record<string, unknown>;
  for (const key of ["id", "image", "app_id", "fn_id"]) requireString(m, key, true);
  for (const key of ["status", "type", "url", "method", "syslog_url", "app_name", "fn_name"]) {
    requireString(m, key, false);
  }
  for (const key of ["trigger_id", "created_at", "started_at", "completed_at"]) {
    requireString(m, key, false);
  }
  for (const key of ["timeout", "idle_timeout", "memory", "execution_duration"]) {
    const v = m[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      throw new CallModelError(`models_call_json "${key}" must be a non-negative integer`);
    }
  }
  requireStringMap(m, "config");
  requireHeaders(m);
  const annotations = m["annotations"];
  if (annotations !== undefined && (typeof annotations !== "object" || annotations === null)) {
    throw new CallModelError(`models_call_json "annotations" must be an object`);
  }
  return m as unknown as CallModel;
}

function requireString(m: Record<string, unknown>, key: string, required: boolean): void {
  const v = m[key];
  if (v === undefined && !required) return;
  if (typeof v !== "string" || (required && v === "")) {
    throw new CallModelError(
      `models_call_json "${key}" must be a${required ? " non-empty" : ""} string`,
    );
  }
}

function requireStringMap(m: Record<string, unknown>, key: string): void {
  const v = m[key];
  if (v === undefined || v === null) return;
  if (
    typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")
  ) {
    throw new CallModelError(`models_call_json "${key}" must map names to strings`);
  }
}

function requireHeaders(m: Record<string, unknown>): void {
  const v = m["headers"];
  if (v === undefined || v === null) return;
  const ok = typeof v === "object" && !Array.isArray(v) &&
    Object.values(v).every((x) => Array.isArray(x) && x.every((s) => typeof s === "string"));
  if (!ok) throw new CallModelError(`models_call_json "headers" must map names to string arrays`);
}
