/**
 * When a call stops waiting for a slot. Fn v0.3.753 has no server-side bound (only the
 * client gives up), so a call can be held forever when nothing can ever be had. fnd
 * keeps "no queue deadline" for a queue that is moving and ends only *stalled* waits:
 *
 * A waiting call gets 503 `Timed out - server too busy` (with `Retry-After`) when, for
 * longer than the function's own timeout plus the container start timeout, no call of
 * its queue got a slot and no container of its queue is starting.
 *
 * Why that window: every busy container of the queue finishes its call within the
 * function's timeout (the dispatch enforces it), and a new container is ready within
 * the start timeout, so a queue that can make progress claims a slot within it. A
 * launch in progress (say, a long image pull) pauses the clock; a launch waiting for
 * memory that other functions' busy containers hold does not.
 *
 * @module
 */

import type { QueueStats } from "./slot_queue.ts";

/** How long a queue may go without progress before its waiters give up. */
export function stallLimitMs(fnTimeoutMs: number, hotStartTimeoutMs: number): number {
  return fnTimeoutMs + hotStartTimeoutMs;
}

/**
 * Whether a call that started waiting at `waitingSinceMs` should give up at `nowMs`.
 */
export function isWaitStalled(
  stats: QueueStats,
  waitingSinceMs: number,
  nowMs: number,
  limitMs: number,
): boolean {
  if (stats.containers.start > 0) return false;
  const since = Math.max(waitingSinceMs, stats.lastClaimAt);
  return nowMs - since > limitMs;
}
