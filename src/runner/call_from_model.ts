/**
 * Rebuilds a `CallRequest` on a pure runner from the LB's `models_call_json`
 * (`lb-runner.md` §1.3): the app and fn are reconstructed from the call model (the
 * runner has no datastore), with the model's merged config and annotations on the fn.
 *
 * @module
 */

import type { CallRequest, InvokeType } from "../agent/call.ts";
import type { CallModel } from "../grpc/call_model.ts";
import type { App } from "../models/app.ts";
import { type Fn, FN_LIMITS } from "../models/fn.ts";

/** What the runner adds to the model to make a call. */
export interface CallContext {
  readonly body: ReadableStream<Uint8Array> | null;
  readonly signal: AbortSignal;
  /** The runner's clock when the `TryCall` arrived. */
  readonly createdAt: Date;
  readonly onStart?: () => void;
}

const EPOCH = new Date(0);

/**
 * App and fn objects by what the model says of them. Calls of one function arrive with
 * equal fields, and handing out the same objects lets the agent find its cached
 * container template (and slot key, a SHA-256) instead of rebuilding it per call.
 */
const entities = new Map<string, { readonly app: App; readonly fn: Fn }>();
/** Bound on {@linkcode entities}; the oldest entry goes first. */
const ENTITIES_MAX = 1024;

function entitiesOf(model: CallModel): { app: App; fn: Fn } {
  const fingerprint = JSON.stringify([
    model.app_id,
    model.app_name,
    model.syslog_url,
    model.fn_id,
    model.fn_name,
    model.image,
    model.memory,
    model.timeout,
    model.idle_timeout,
    model.config,
    model.annotations,
  ]);
  const known = entities.get(fingerprint);
  if (known !== undefined) {
    // Refresh its place: the least recently used entry is the one dropped.
    entities.delete(fingerprint);
    entities.set(fingerprint, known);
    return known;
  }
  const built = buildEntities(model);
  if (entities.size >= ENTITIES_MAX) entities.delete(entities.keys().next().value!);
  entities.set(fingerprint, built);
  return built;
}

function buildEntities(model: CallModel): { app: App; fn: Fn } {
  const app: App = {
    id: model.app_id,
    name: model.app_name ?? "",
    config: {},
    annotations: {},
    ...(model.syslog_url ? { syslogUrl: model.syslog_url } : {}),
    createdAt: EPOCH,
    updatedAt: EPOCH,
  };
  const fn: Fn = {
    id: model.fn_id,
    name: model.fn_name ?? "",
    appId: model.app_id,
    image: model.image ?? "",
    memoryMb: model.memory || FN_LIMITS.defaultMemoryMb,
    timeoutSeconds: model.timeout || FN_LIMITS.defaultTimeoutSeconds,
    idleTimeoutSeconds: model.idle_timeout || FN_LIMITS.defaultIdleTimeoutSeconds,
    config: model.config ?? {},
    annotations: model.annotations ?? {},
    createdAt: EPOCH,
    updatedAt: EPOCH,
  };
  return { app, fn };
}

/**
 * The call described by `model`.
 *
 * @throws {TypeError} when `url` does not parse or a header is invalid
 */
export function callFromModel(model: CallModel, context: CallContext): CallRequest {
  const { app, fn } = entitiesOf(model);
  const headers = new Headers();
  for (const [key, values] of Object.entries(model.headers ?? {})) {
    for (const value of values) headers.append(key, value);
  }
  const url = model.url || `http://localhost/invoke/${model.fn_id}`;
  new URL(url); // throws TypeError when it does not parse
  const type: InvokeType = model.type === "detached" ? "detached" : "sync";
  return {
    id: model.id,
    app,
    fn,
    triggerId: model.trigger_id ?? "",
    type,
    method: model.method || "GET",
    url,
    headers,
    body: context.body,
    signal: context.signal,
    createdAt: context.createdAt,
    ...(context.onStart ? { onStart: context.onStart } : {}),
  };
}
