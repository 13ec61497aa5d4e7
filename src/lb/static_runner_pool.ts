/**
 * The static runner pool: the runners listed in `FN_RUNNER_ADDRESSES`, one gRPC
 * client each, in the configured order. No health checks and no ejection, as in Fn: a
 * runner that is down is skipped by each attempt, and rejoins when its channel
 * reconnects.
 *
 * @module
 */

import type { Runner, RunnerPool } from "./runner.ts";

/** A fixed list of runners. */
export class StaticRunnerPool<A> implements RunnerPool<A> {
  readonly #runners: readonly Runner<A>[];

  /** Serves `runners` in this order. */
  constructor(runners: readonly Runner<A>[]) {
    this.#runners = [...runners];
  }

  /** See {@linkcode RunnerPool.runners}. */
  runners(): Promise<readonly Runner<A>[]> {
    return Promise.resolve([...this.#runners]);
  }

  /** See {@linkcode RunnerPool.shutdown}. */
  async shutdown(): Promise<void> {
    const results = await Promise.allSettled(this.#runners.map((r) => r.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}
