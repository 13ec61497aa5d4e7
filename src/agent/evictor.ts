/**
 * Frees capacity for a starving function by removing idle containers of *other*
 * functions (agent.md §3.8): oldest idle first, and all or nothing, so a launch never
 * kills containers without then getting the room it needed.
 *
 * @module
 */

import type { ResourceNeed } from "./resource_tracker.ts";

/** An idle container that could be removed to free its reservation. */
export interface EvictionCandidate {
  /** Slot key of the container's function: never evicted for its own function. */
  readonly key: string;
  readonly memoryMb: number;
  readonly cpuMillis: number;
  /**
   * Takes the container's idle slot and tears it down; resolves once its capacity is
   * released. Returns undefined when a call claimed the slot first.
   */
  evict(): Promise<void> | undefined;
}

/** The idle containers that may be evicted, in the order they became idle. */
export class Evictor {
  // A Set iterates in insertion order, and a container re-registers each time it goes
  // idle, so iteration is oldest registration first.
  readonly #candidates = new Set<EvictionCandidate>();
  #evictions = 0;

  /** How many containers were evicted so far. */
  get evictions(): number {
    return this.#evictions;
  }

  /**
   * Makes `candidate` evictable until the returned handle is disposed. Containers that
   * hold no resources are never registered: evicting them frees nothing.
   */
  register(candidate: EvictionCandidate): Disposable {
    if (candidate.memoryMb > 0 || candidate.cpuMillis > 0) this.#candidates.add(candidate);
    return { [Symbol.dispose]: () => this.#candidates.delete(candidate) };
  }

  /**
   * Evicts enough idle containers of other functions to cover `need`, or none.
   *
   * @param requesterKey the slot key of the function that needs room
   * @returns the teardowns started (empty when nothing was evicted)
   */
  evict(requesterKey: string, need: ResourceNeed): Promise<void>[] {
    if (need.memoryMb <= 0 && need.cpuMillis <= 0) return [];
    const chosen: EvictionCandidate[] = [];
    let memoryMb = 0;
    let cpuMillis = 0;
    for (const candidate of this.#candidates) {
      if (candidate.key === requesterKey) continue;
      chosen.push(candidate);
      memoryMb += candidate.memoryMb;
      cpuMillis += candidate.cpuMillis;
      if (memoryMb >= need.memoryMb && cpuMillis >= need.cpuMillis) return this.#evictAll(chosen);
    }
    return [];
  }

  #evictAll(chosen: EvictionCandidate[]): Promise<void>[] {
    const teardowns: Promise<void>[] = [];
    for (const candidate of chosen) {
      this.#candidates.delete(candidate);
      const teardown = candidate.evict();
      if (teardown !== undefined) {
        this.#evictions++;
        teardowns.push(teardown);
      }
    }
    return teardowns;
  }
}
