/**
 * When to start another container for a function: the one decision the hot launcher
 * delegates, kept alone here so a smarter policy (e.g. "start only when waiting for a
 * busy container would take longer than starting one") replaces a single function.
 *
 * @module
 */

import type { QueueStats } from "./slot_queue.ts";

/**
 * Fn's `isNewContainerNeeded` (agent.md §3.5): waiters not covered by idle containers
 * need a container, unless enough are already starting (or waiting for resources).
 * The launcher starts at most one container per call of this function, so with N
 * uncovered waiters it ramps up by one per waiter signal.
 */
export function isNewContainerNeeded(stats: QueueStats): boolean {
  const { containers } = stats;
  const idle = containers.idle + containers.paused;
  const effectiveWaiters = Math.max(0, stats.waitingCalls - idle);
  if (effectiveWaiters === 0) return false;
  const starting = containers.start + containers.wait;
  return !(starting > 0 && starting >= effectiveWaiters);
}
