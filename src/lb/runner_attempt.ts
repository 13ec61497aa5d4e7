/**
 * What the LB agent hands a runner for one attempt of a call, and how the runner's
 * answer flows back (`AttemptSink`). Only the attempt a runner committed to ever
 * reaches the sink's response methods; a NACKed attempt touches nothing.
 *
 * @module
 */

import type { CallFinished, HttpRespMeta, TryCall } from "../grpc/runner_messages.ts";

/** Receives the committed runner's response. */
export interface AttemptSink {
  /** The runner took the call (first response message that is not a NACK). */
  committed(): void;
  /** The response head (`CallResultStart`, at most once, status > 0). */
  resultStart(meta: HttpRespMeta): void;
  /**
   * A piece of the response body. A returned promise asks for backpressure: no more
   * data is delivered until it settles.
   */
  data(bytes: Uint8Array): Promise<void> | undefined;
  /** The runner's `CallFinished` (success or failure), exactly once per commit. */
  finished(message: Required<CallFinished>): void;
  /** Every `CallFinished` received, NACKs included (timings for metrics). */
  observe(message: Required<CallFinished>): void;
}

/** One call, ready to be tried on runners. */
export interface RunnerAttempt {
  /** The call id (for logs). */
  readonly callId: string;
  /** Builds the `TryCall` of the next attempt. */
  tryCall(): TryCall;
  /**
   * The request body from byte 0 for the next attempt (`null`: empty body).
   *
   * @throws {NotReplayableError} when a retry cannot resend the body
   */
  openBody(): ReadableStream<Uint8Array> | null;
  readonly sink: AttemptSink;
  /** Absolute deadline sent as `grpc-timeout` (detached calls only). */
  readonly deadline?: Date;
}
