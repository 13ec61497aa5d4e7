/**
 * Placement: finding a runner that commits to a call. Every placer shares one loop
 * (Fn's, `lb-runner.md` §3.5 and §4.3) and differs only in the order in which a pass
 * visits the runners (`PassOrder`): round robin (`naive`) or consistent hashing of the
 * function id (`ch`).
 *
 * The loop: list the runners, try each in pass order until one commits (success or
 * failure alike: a committed call is never retried); after a pass without a commit
 * wait `retryAllDelayMs` and start again with a fresh list; give up with 503
 * `Timed out - server too busy` once the placer timeout has passed (checked between
 * attempts only: a running attempt is never interrupted by it) or the request's
 * signal aborted.
 *
 * @module
 */

import { type APIError, isAPIError, messages, serverTooBusy } from "../models/api_error.ts";
import type { LbMetrics } from "./lb_metrics.ts";
import type { AttemptResult, Runner, RunnerPool } from "./runner.ts";

/** The placers `FN_PLACER` selects. */
export const PLACER_KINDS = ["naive", "ch"] as const;
/** One of {@linkcode PLACER_KINDS}. */
export type PlacerKind = typeof PLACER_KINDS[number];

/** Timing of placement (Fn's `PlacerConfig`). */
export interface PlacerConfig {
  /** Pause after a pass over all runners without a commit. @default {10} */
  readonly retryAllDelayMs: number;
  /** How long a sync call may look for a runner. @default {360000} */
  readonly placerTimeoutMs: number;
  /** How long a detached call may look for a runner. @default {30000} */
  readonly detachedPlacerTimeoutMs: number;
}

/** Fn's placement defaults. */
export const DEFAULT_PLACER_CONFIG: PlacerConfig = {
  retryAllDelayMs: 10,
  placerTimeoutMs: 360_000,
  detachedPlacerTimeoutMs: 30_000,
};

/** One call to place. */
export interface PlacementRequest<A> {
  /** The key the `ch` placer hashes. */
  readonly fnId: string;
  /** What each runner is asked to run. */
  readonly attempt: A;
  /** The request's signal: placement stops when it aborts. */
  readonly signal: AbortSignal;
  /** Detached calls use the detached placer timeout. */
  readonly detached: boolean;
}

/** Places calls on runners. */
export interface Placer<A = unknown> {
  readonly kind: PlacerKind;
  /**
   * Places the call; resolves when a runner committed and ran it successfully.
   *
   * @throws the committed attempt's error; 503 `Timed out - server too busy` when no
   *   runner committed in time or the signal aborted between attempts; the pool's
   *   error when it could not list runners
   */
  place(request: PlacementRequest<A>): Promise<void>;
}

/** The order in which one pass visits `runners` for the function `fnId`. */
export type PassOrder = <A>(runners: readonly Runner<A>[], fnId: string) => readonly Runner<A>[];

/** Whether `err` is the 503 a runner answers when it is full (a NACK). */
export function isTooBusy(err: unknown): err is APIError {
  return isAPIError(err) && err.status === 503 && err.message === messages.tooBusy;
}

/** What one placement did, for metrics. */
interface PlacementTally {
  attempts: number;
  /** ms from placement start to the start of the committing attempt. */
  commitAfterMs: number | undefined;
  timedOut: boolean;
}

/**
 * Runs Fn's placement loop over `pool` in the order `order` gives.
 *
 * @throws see {@linkcode Placer.place}
 */
export async function placeCall<A>(
  pool: RunnerPool<A>,
  order: PassOrder,
  config: PlacerConfig,
  metrics: LbMetrics,
  request: PlacementRequest<A>,
): Promise<void> {
  const start = performance.now();
  const timeoutMs = request.detached ? config.detachedPlacerTimeoutMs : config.placerTimeoutMs;
  const deadline = start + timeoutMs;
  const tally: PlacementTally = { attempts: 0, commitAfterMs: undefined, timedOut: false };
  try {
    let poolError: unknown;
    while (true) {
      let runners: readonly Runner<A>[] = [];
      try {
        runners = await pool.runners();
        poolError = undefined;
      } catch (err) {
        poolError = err;
      }
      for (const runner of order(runners, request.fnId)) {
        if (request.signal.aborted || performance.now() >= deadline) break;
        const result = await tryOne(runner, request, metrics, tally, start);
        if (result.placed) {
          if (result.error !== undefined) throw result.error;
          return;
        }
        if (result.final) throw result.error;
      }
      if (runners.length === 0) {
        metrics.poolEmpty.inc();
        if (isUserBadGateway(poolError)) break;
      }
      const paused = await pause(config.retryAllDelayMs, request.signal, deadline);
      if (paused !== "ok") {
        tally.timedOut = paused === "deadline";
        break;
      }
    }
    if (poolError !== undefined) {
      metrics.poolError.inc();
      throw poolError;
    }
    throw serverTooBusy();
  } finally {
    recordPlacement(metrics, tally, request.signal, start);
  }
}

/**
 * Ends an attempt's signal once the attempt returned. One shared reason: a fresh
 * DOMException per call (what a bare `abort()` makes) costs ~30 µs of stack capture.
 */
const ATTEMPT_OVER = new DOMException("the attempt is over", "AbortError");

async function tryOne<A>(
  runner: Runner<A>,
  request: PlacementRequest<A>,
  metrics: LbMetrics,
  tally: PlacementTally,
  start: number,
): Promise<AttemptResult> {
  const attemptStart = performance.now();
  const controller = new AbortController();
  const onAbort = () => controller.abort(request.signal.reason);
  request.signal.addEventListener("abort", onAbort, { once: true });
  let result: AttemptResult;
  try {
    result = await runner.tryExec(request.attempt, controller.signal);
  } catch (err) {
    // A Runner must not reject; if one does, it did not say it committed, but it
    // may have: treat it as committed so the call can never run twice.
    result = { placed: true, error: err };
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    controller.abort(ATTEMPT_OVER);
  }
  // A final result reached no runner: not an attempt, and not a retry either.
  if (result.final && !result.placed) return result;
  tally.attempts++;
  const isRequestError = clientEnded(request.signal) !== undefined &&
    result.error === request.signal.reason;
  if (result.placed) {
    tally.commitAfterMs = attemptStart - start;
    if (result.error === undefined) metrics.placedOk.inc();
    else if (isRequestError) metrics.placedAbort.inc();
    else metrics.placedError.inc();
  } else if (isTooBusy(result.error)) {
    metrics.retryBusy.inc();
  } else if (!isRequestError) {
    metrics.retryError.inc();
  }
  return result;
}

function recordPlacement(
  metrics: LbMetrics,
  tally: PlacementTally,
  signal: AbortSignal,
  start: number,
): void {
  metrics.attempts.observe(tally.attempts);
  const latency = tally.commitAfterMs ?? performance.now() - start;
  metrics.placerLatency.observe(Math.trunc(latency));
  if (tally.commitAfterMs === undefined) metrics.notPlacedCalls.inc();
  else metrics.placedCalls.inc();
  const ended = clientEnded(signal);
  if (ended === "timeout") metrics.clientTimeout.inc();
  else if (ended === "cancel") metrics.clientCancelled.inc();
  if (tally.commitAfterMs === undefined && tally.timedOut) metrics.placerTimeout.inc();
}

/**
 * How the request's context ended, if it did: its deadline (`TimeoutError`, detached
 * calls) or a cancel. The LB's own shutdown aborts with the 503 busy error; that is
 * neither the client's cancel nor its timeout.
 */
function clientEnded(signal: AbortSignal): "cancel" | "timeout" | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") return "timeout";
  return isTooBusy(reason) ? undefined : "cancel";
}

function isUserBadGateway(err: unknown): boolean {
  return isAPIError(err) && err.status === 502 && err.blame === "user";
}

/** Waits `ms`, unless the signal aborts or the deadline passes first. */
function pause(
  ms: number,
  signal: AbortSignal,
  deadline: number,
): Promise<"ok" | "aborted" | "deadline"> {
  const left = deadline - performance.now();
  if (signal.aborted) return Promise.resolve("aborted");
  if (left <= 0) return Promise.resolve("deadline");
  return new Promise((resolve) => {
    const finish = (result: "ok" | "aborted" | "deadline") => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onAbort = () => finish("aborted");
    const timer = setTimeout(() => finish(ms < left ? "ok" : "deadline"), Math.min(ms, left));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
