/**
 * What `/invoke` and `/t/` share once they found the function: hand the call to the
 * node's agent with the request body streamed (and limited to `FN_MAX_REQUEST_SIZE`),
 * stream the function's answer back, and map failures to Fn's error responses with
 * `Fn-Call-Id` (`api-v2.md` §8). Detached calls answer 202 once the agent accepted them
 * and run on in the background.
 *
 * @module
 */

import type { Agent, CallOutcome, CallRequest, CallResponse } from "../agent/call.ts";
import { CallBuildError } from "../agent/call_build_error.ts";
import { sendableBody } from "../agent/complete_body.ts";
import type { Logger } from "../log.ts";
import { isAPIError } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { newId } from "../models/id.ts";
import { checkDeclaredLength, limitBody, readBodyLimited } from "./body_limit.ts";
import { errorResponse } from "./error_response.ts";
import type { RouteContext } from "./route_context.ts";

/** The call an entry point resolved, and how it shapes the answer. */
export interface CallSite {
  readonly app: App;
  readonly fn: Fn;
  /** Trigger id, or `""` for `/invoke`. */
  readonly triggerId: string;
  /** Request headers for the function, shaped by the entry point. */
  readonly headers: Headers;
  /** `Fn-Invoke-Type: detached` (honoured on `/invoke` only). */
  readonly detached: boolean;
  /** The client's status and headers for a function's successful answer. */
  readonly respond: (res: CallResponse) => { status: number; headers: Headers };
}

/** Statuses whose responses cannot carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The most a detached call's body may hold when `FN_MAX_REQUEST_SIZE` is 0 (unlimited):
 * a detached body is read into memory before the 202 and held until the call starts.
 */
export const DEFAULT_DETACHED_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The body limit of a detached call: `FN_MAX_REQUEST_SIZE`, or the default when it is 0. */
export function detachedBodyLimit(maxRequestBytes: number): number {
  return maxRequestBytes > 0 ? maxRequestBytes : DEFAULT_DETACHED_MAX_BODY_BYTES;
}

/**
 * Runs the call described by `site` on the node's agent and answers the client.
 *
 * @throws {Error} when the node has no agent (a wiring bug)
 */
export async function runCall(req: Request, ctx: RouteContext, site: CallSite): Promise<Response> {
  const agent = ctx.services.agent;
  if (agent === undefined) throw new Error("this node has no agent, but a call route needs one");
  const callId = newId();
  const log = ctx.log.child({ call_id: callId, app_id: site.app.id, fn_id: site.fn.id });
  if (site.detached) return await startDetached(req, ctx, site, agent, callId, log);
  const body = watchBody(req.body, ctx.services.config.maxRequestBytes);
  let res: CallResponse;
  try {
    res = await agent.submit(callRequest(req, site, callId, body.stream, req.signal));
  } catch (err) {
    return failureResponse(err, body.error(), req.signal, callId, log);
  }
  void res.done.then((outcome) => logOutcome(log, outcome, "debug"));
  const head = site.respond(res);
  head.headers.set("Fn-Call-Id", callId);
  if (NULL_BODY_STATUSES.has(head.status) || req.method === "HEAD") {
    // No body goes out, but the function's must be read to its end before answering:
    // Deno aborts the request's signal once the response is sent, which would count
    // as the client leaving mid-call.
    await drain(res.body);
    return new Response(null, head);
  }
  // A small answer that arrived whole goes out as bytes: no stream pump per call.
  return new Response(sendableBody(res.body), head);
}

function callRequest(
  req: Request,
  site: CallSite,
  id: string,
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal,
): CallRequest {
  return {
    id,
    app: site.app,
    fn: site.fn,
    triggerId: site.triggerId,
    type: site.detached ? "detached" : "sync",
    method: req.method,
    url: req.url,
    headers: site.headers,
    body,
    ...declaredLength(req, body),
    signal,
    createdAt: new Date(),
  };
}

/**
 * The request body's `Content-Length`, for an agent to know when the body is complete;
 * none when the body is chunked (then a `Content-Length` beside it means nothing).
 */
function declaredLength(
  req: Request,
  body: ReadableStream<Uint8Array> | null,
): { bodyLength?: number } {
  if (body === null || req.headers.has("transfer-encoding")) return {};
  const declared = req.headers.get("content-length");
  if (declared === null || !/^\d{1,15}$/.test(declared)) return {};
  return { bodyLength: Number(declared) };
}

/**
 * Detached: the body is read first, within {@linkcode detachedBodyLimit} (a 202
 * promises the call has all its input), then the call is submitted with no client to
 * cancel it. The 202 goes out once the agent accepted the call; a call it refuses up
 * front (400 cannot be allocated, bad format, 503 shutting down) gets that error like a
 * sync call. The answer is drained and discarded and the outcome logged.
 */
async function startDetached(
  req: Request,
  ctx: RouteContext,
  site: CallSite,
  agent: Agent,
  callId: string,
  log: Logger,
): Promise<Response> {
  let bytes: Uint8Array;
  try {
    const maxBytes = detachedBodyLimit(ctx.services.config.maxRequestBytes);
    const declared = checkDeclaredLength(req, maxBytes);
    if (declared !== undefined) throw declared;
    bytes = await readBodyLimited(req, maxBytes);
  } catch (err) {
    return failureResponse(err, undefined, req.signal, callId, log);
  }
  const body = bytes.byteLength > 0 ? ReadableStream.from([bytes]) : null;
  const accepted = Promise.withResolvers<void>();
  const call: CallRequest = {
    ...callRequest(req, site, callId, body, new AbortController().signal),
    onAccepted: () => accepted.resolve(),
  };
  const submitted = agent.submit(call);
  // An agent that never reports acceptance still answers once it has the response head.
  const refused = await Promise.race([
    accepted.promise.then(() => undefined),
    submitted.then(() => undefined, (err: unknown) => ({ err })),
  ]);
  if (refused !== undefined) {
    return failureResponse(refused.err, undefined, new AbortController().signal, callId, log);
  }
  void finishDetached(submitted, log);
  return new Response(null, { status: 202, headers: { "Fn-Call-Id": callId } });
}

async function finishDetached(submitted: Promise<CallResponse>, log: Logger): Promise<void> {
  try {
    const res = await submitted;
    await drain(res.body);
    logOutcome(log, await res.done, "info");
  } catch (err) {
    log.info("detached call failed", { error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * The answer to a call that failed before the function answered: 444 when the client
 * left, else Fn's error response, with `Fn-Call-Id` unless the call was never built.
 * `bodyError` (a 413 of the request body) wins over the agent's view of it.
 */
function failureResponse(
  err: unknown,
  bodyError: unknown,
  clientSignal: AbortSignal,
  callId: string,
  log: Logger,
): Response {
  logFailure(log, err, clientSignal.aborted);
  // The client left: nobody reads the answer (Fn logs 444).
  if (clientSignal.aborted) return new Response(null, { status: 444 });
  const res = errorResponse(bodyError ?? err, log);
  // An error from building the call means there never was a call to name.
  return err instanceof CallBuildError ? res : withCallId(res, callId);
}

async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null) return;
  try {
    for await (const _ of body) { /* discard */ }
  } catch {
    // The outcome (via `done`) says what went wrong.
  }
}

function logOutcome(log: Logger, outcome: CallOutcome, level: "debug" | "info"): void {
  log[level]("call finished", {
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error.message } : {}),
    scheduler_ms: outcome.schedulerMs,
    execution_ms: outcome.executionMs,
  });
}

/** Logs a call that ended before the function answered, like {@linkcode logOutcome}. */
function logFailure(log: Logger, err: unknown, clientGone: boolean): void {
  log.debug("call finished", {
    status: clientGone ? "canceled" : isAPIError(err) && err.status === 503 ? "busy" : "error",
    error: err instanceof Error ? err.message : String(err),
  });
}

function withCallId(res: Response, callId: string): Response {
  res.headers.set("Fn-Call-Id", callId);
  return res;
}

/**
 * The request body limited to `maxBytes`, remembering whether the limit tripped: the
 * agent then sees a broken body (502), but the client must get the 413.
 */
function watchBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): { stream: ReadableStream<Uint8Array> | null; error: () => unknown } {
  if (body === null || maxBytes <= 0) return { stream: body, error: () => undefined };
  let failure: unknown;
  const reader = limitBody(body, maxBytes).getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        if (isAPIError(err) && err.status === 413) failure = err;
        controller.error(err);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return { stream, error: () => failure };
}
