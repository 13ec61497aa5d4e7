/**
 * The LB's view of a pure runner (`Runner`) and of the set of runners it may place
 * calls on (`RunnerPool`). The gRPC implementation is `GrpcRunner`; placers and the
 * LB agent only see these interfaces, so tests can use in-process fakes.
 *
 * @module
 */

import type { RunnerStatus } from "../grpc/runner_messages.ts";

/**
 * How one attempt on one runner ended.
 *
 * `placed: false` means the runner did not take the call (NACK, unreachable, closed):
 * the placer may try another runner. `placed: true` means the call was committed to
 * this runner: it must never be retried, whether `error` is set or not.
 * `placed: false, final: true` means no runner can take the call any more (its body
 * can no longer be replayed after a NACK): nothing reached this runner, and placement
 * ends with `error`.
 */
export interface AttemptResult {
  readonly placed: boolean;
  /** Why the attempt failed; undefined on success. */
  readonly error?: unknown;
  /** With `placed: false`: stop placing, no attempt was made. @default {false} */
  readonly final?: boolean;
}

/** A runner calls can be placed on. */
export interface Runner<A = unknown> {
  /** `host:port`, as configured. */
  readonly address: string;
  /**
   * Runs one attempt of a call. Resolves when the runner is done with it (or the
   * signal aborted); never rejects.
   */
  tryExec(attempt: A, signal: AbortSignal): Promise<AttemptResult>;
  /** Asks the runner for its status (`Status2` with `{}` or the given JSON object). */
  status(signal?: AbortSignal): Promise<Required<RunnerStatus>>;
  /** Refuses new attempts, waits for in-flight ones, then closes the connection. */
  close(): Promise<void>;
}

/** The runners a call may be placed on. */
export interface RunnerPool<A = unknown> {
  /**
   * The runners to try, in the pool's order (a fresh copy each call).
   *
   * @throws {APIError} when the pool cannot list runners
   */
  runners(): Promise<readonly Runner<A>[]>;
  /** Closes every runner (waiting for in-flight attempts); the first error is thrown. */
  shutdown(): Promise<void>;
}
