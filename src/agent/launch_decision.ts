/**
 * When to start another container for a function: the one decision the hot launcher
 * delegates, kept alone here so a smarter policy (e.g. "start only when waiting for a
 * busy container would take longer than starting one") replaces a single function.
 *
 * @module
 */

import type { QueueStats } from "./slot_queue.ts";

/**
 * Whether the queue needs another container.
 *
 * Fn's rule first (agent.md §3.5): waiters not covered by idle containers need a
 * container, unless enough are already starting (or waiting for resources). The
 * launcher starts at most one container per call of this function, so with N uncovered
 * waiters it ramps up by one per waiter signal.
 *
 * Then fnd's refinement: start a container only when waiting for a busy one would take
 * longer than starting one. Once the queue has estimates (moving averages of its calls'
 * execution time and its containers' launch time), the uncovered waiters are expected to
 * be served by the busy containers in rounds of one call time each; if the last of them
 * would still get a container sooner than a new one could start, nothing is launched.
 * A queue where no call got a container for longer than a launch takes (a busy container
 * is stuck in a long call) launches anyway.
 *
 * With `learnFirst` (blocking mode), a function none of whose calls has finished yet
 * does not get a container per waiter: while one starts, or while a first call runs for
 * less than a start takes (its elapsed time is a lower bound of its call time), the
 * waiters wait for it. A fast function's cold burst is thus served by one container; a
 * slow one gets more once its first call outlasts a start. (In non-blocking mode a
 * waiter that gets no container must be refused at once, so Fn's rule applies.)
 *
 * @param now the current time in epoch ms (for the stuck-queue check)
 */
export function isNewContainerNeeded(
  stats: QueueStats,
  now: number = Date.now(),
  options: LaunchDecisionOptions = {},
): boolean {
  const { containers } = stats;
  const idle = containers.idle + containers.paused;
  const effectiveWaiters = Math.max(0, stats.waitingCalls - idle);
  if (effectiveWaiters === 0) return false;
  const starting = containers.start + containers.wait;
  if (starting > 0 && starting >= effectiveWaiters) return false;
  if (options.learnFirst === true && stats.callMs === undefined) {
    return !waitToLearn(stats, starting, now);
  }
  return !busyContainersAreSooner(stats, effectiveWaiters - starting, now);
}

/** Options of {@linkcode isNewContainerNeeded}. */
export interface LaunchDecisionOptions {
  /**
   * Until a call time is known, wait for the containers already there (see above).
   * @default {false}
   */
  readonly learnFirst?: boolean;
}

/** With no call time known: whether the waiters should wait for what is already there. */
function waitToLearn(stats: QueueStats, starting: number, now: number): boolean {
  if (starting > 0) return true;
  const { startMs } = stats;
  if (stats.containers.busy === 0 || startMs === undefined) return false;
  return now - stats.lastClaimAt <= startMs;
}

/** Whether `uncovered` waiters get a busy container sooner than a new one would start. */
function busyContainersAreSooner(stats: QueueStats, uncovered: number, now: number): boolean {
  const { callMs, startMs } = stats;
  const busy = stats.containers.busy;
  if (busy === 0 || callMs === undefined || startMs === undefined) return false;
  if (now - stats.lastClaimAt > startMs) return false;
  return Math.ceil(uncovered / busy) * callMs < startMs;
}
