/**
 * The `ch` placer: consistent hashing of the function id over the runner addresses
 * (rendezvous hashing, see `rendezvous_order.ts`), so calls of one function land on
 * the same runner and find its hot containers. A NACK walks on to the function's
 * next-best runner.
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
import { rendezvousOrder } from "./rendezvous_order.ts";
import type { Runner, RunnerPool } from "./runner.ts";

/** Consistent-hash placer. */
export class ConsistentHashPlacer<A = unknown> implements Placer<A> {
  readonly kind = "ch" as const;
  readonly #pool: RunnerPool<A>;
  readonly #config: PlacerConfig;
  readonly #metrics: LbMetrics;

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
    return placeCall(this.#pool, chOrder, this.#config, this.#metrics, request);
  }
}

function chOrder<R>(runners: readonly Runner<R>[], fnId: string): readonly Runner<R>[] {
  return rendezvousOrder(runners, fnId);
}
