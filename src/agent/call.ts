/**
 * The seam between the HTTP front end and whatever runs calls (`Agent`): the full
 * node's local Docker agent and the LB's runner-placing agent both implement it, so
 * the invoke and trigger handlers never know which one they have.
 *
 * @module
 */

import type { LaunchTimings } from "./container.ts";
import type { APIError } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";

/** `detached` answers 202 once the call is accepted and runs it in the background. */
export type InvokeType = "sync" | "detached";

/** One function invocation as the front end hands it to an agent. */
export interface CallRequest {
  /** Call id, sent as `Fn-Call-Id`. */
  readonly id: string;
  readonly app: App;
  readonly fn: Fn;
  /** Trigger id, or `""` for `/invoke`. */
  readonly triggerId: string;
  readonly type: InvokeType;
  /** The client's HTTP method. */
  readonly method: string;
  /** The absolute URL the client requested (scheme, Host, path, query). */
  readonly url: string;
  /**
   * Headers for the function, already shaped by the entry point: the client's for
   * invoke; `Fn-Http-H-*`, `Fn-Http-Method`, `Fn-Http-Request-Url`, `Fn-Intent` for
   * triggers. Hop-by-hop headers are stripped by the agent.
   */
  readonly headers: Headers;
  /** The request body, streamed; `null` when empty. */
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * How long `body` is, when the client declared it (`Content-Length`): the body is
   * known to be complete once that much arrived, without waiting for its end.
   */
  readonly bodyLength?: number;
  /** Aborted when the client goes away (or, for detached calls, never). */
  readonly signal: AbortSignal;
  readonly createdAt: Date;
  /**
   * Called at most once, when the agent has accepted the call: the checks made while
   * building it passed (its format, resources the machine can ever give) and the agent
   * is not shutting down. Agents call it before waiting for capacity (one that checks
   * nothing up front calls it at once) and never after `submit` rejected. A detached
   * call answers 202 here, so a call that can never run gets its error instead.
   */
  readonly onAccepted?: () => void;
  /** Called once when the call has a container and execution starts (commit point). */
  readonly onStart?: () => void;
}

/** How a call ended, for logs, metrics and the runner's `CallFinished`. */
export type CallStatus = "success" | "timeout" | "error" | "canceled" | "busy";

/** What is known once a call has completely finished. */
export interface CallOutcome {
  readonly status: CallStatus;
  /** The client-visible error, when the call failed. */
  readonly error?: APIError;
  /** Time from submit until a container was ready for it. */
  readonly schedulerMs: number;
  /** Time the function executed (0 when it never started). */
  readonly executionMs: number;
  readonly startedAt?: Date;
  readonly completedAt: Date;
  /**
   * The launch of the container, when this call was the first it ran (Fn reports a
   * container's pull, create and init times on the call that launched it).
   */
  readonly launch?: LaunchTimings;
}

/** The function's answer: status and headers first, then the streamed body. */
export interface CallResponse {
  /** The function's status (200 for a successful http-stream call). */
  readonly status: number;
  /** The function's response headers, hop-by-hop headers removed. */
  readonly headers: Headers;
  /**
   * The body; errors (e.g. timeout mid-body) surface as a stream error. Must be
   * consumed or cancelled by the caller so the container is released.
   */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Settles (never rejects) when the call is over and its container released. */
  readonly done: Promise<CallOutcome>;
}

/** Runs calls. */
export interface Agent extends AsyncDisposable {
  /**
   * Runs the call and resolves with the function's response head. Calls
   * `call.onAccepted` once the call passed the up-front checks.
   *
   * @throws {CallBuildError} 400 when the call can never run here (before `onAccepted`)
   * @throws {APIError} when the call fails before the function answered (404 image,
   *   502 container failure, 503 too busy, 504 timeout, ...)
   */
  submit(call: CallRequest): Promise<CallResponse>;
  /**
   * Stops taking new calls (they get 503), lets in-flight calls finish for at most
   * `graceMs`, then removes every container this agent started.
   */
  close(graceMs?: number): Promise<void>;
}
