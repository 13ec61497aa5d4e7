/**
 * The `naive` placer: round robin. Each placement's first pass starts one runner
 * further along the list than the previous placement's did, and walks the list with
 * wrap-around, so load spreads evenly and a NACK moves on to the next runner.
 *
 * (Fn starts each pass at a clock-derived pseudo-random index; a counter gives the
 * same spread without depending on the clock's resolution.)
 *
 * @module
 */

import type { LbMetrics } from "./lb_metrics.ts";
import {
  DEFAULT_PLACER_CONFIG,
  placeCall,
  type PlacementRequest,
  type Placer,
  type PlacerConfig,
} from "./placer.ts";
import type { Runner, RunnerPool } from "./runner.ts";

/** Round-robin placer. */
export class NaivePlacer<A = unknown> implements Placer<A> {
  readonly kind = "naive" as const;
  readonly #pool: RunnerPool<A>;
  readonly #config: PlacerConfig;
  readonly #metrics: LbMetrics;
  #next = 0;

  /** Places on `pool`'s runners, recording into `metrics`. */
  constructor(
    pool: RunnerPool<A>,
    metrics: LbMetrics,
    config: PlacerConfig = DEFAULT_PLACER_CONFIG,
  ) {
    this.#pool = pool;
    this.#metrics = metrics;
    this.#config = config;
  }

  /** See {@linkcode Placer.place}. */
  place(request: PlacementRequest<A>): Promise<void> {
    return placeCall(this.#pool, this.#order, this.#config, this.#metrics, request);
  }

  #order = <R>(runners: readonly Runner<R>[]): readonly Runner<R>[] => {
    const n = runners.length;
    if (n === 0) return [];
    const first = this.#next % n;
    this.#next = (this.#next + 1) % 1_000_000_007;
    return [...runners.slice(first), ...runners.slice(0, first)];
  };
}
