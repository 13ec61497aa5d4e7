/**
 * Memory and CPU accounting for containers (agent.md §3.7). A container's launch holds
 * a {@linkcode Reservation} for its whole life, idle included; disposing it at teardown
 * gives the capacity back and wakes whoever waits for it.
 *
 * @module
 */

import type { Capacity } from "./capacity.ts";

/** Resources one container needs. */
export interface ResourceNeed {
  /** Megabytes (MiB); 0 = none. */
  readonly memoryMb: number;
  /** Milli-CPUs; 0 = none. */
  readonly cpuMillis: number;
}

const MiB = 1024 * 1024;

/** Capacity held for one container; released once, by `release()` or `using`. */
export class Reservation implements Disposable {
  readonly memoryBytes: number;
  readonly cpuMillis: number;
  #onRelease: (() => void) | undefined;

  /** @internal made by {@linkcode ResourceTracker} only */
  constructor(memoryBytes: number, cpuMillis: number, onRelease: () => void) {
    this.memoryBytes = memoryBytes;
    this.cpuMillis = cpuMillis;
    this.#onRelease = onRelease;
  }

  /** Whether the capacity is still held. */
  get held(): boolean {
    return this.#onRelease !== undefined;
  }

  /** Gives the capacity back. Idempotent. */
  release(): void {
    const onRelease = this.#onRelease;
    this.#onRelease = undefined;
    onRelease?.();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

interface Waiter {
  readonly memoryBytes: number;
  readonly cpuMillis: number;
  readonly grant: (r: Reservation) => void;
}

/** Tracks used versus total memory and CPU. */
export class ResourceTracker {
  readonly capacity: Capacity;
  #usedMemoryBytes = 0;
  #usedCpuMillis = 0;
  readonly #waiters: Waiter[] = [];

  /** @throws {RangeError} when a total is not a positive number */
  constructor(capacity: Capacity) {
    for (const [name, value] of Object.entries(capacity)) {
      if (!(value > 0)) {
        throw new RangeError(
          `Cannot track resources as '${name}' must be positive: current value is ${value}`,
        );
      }
    }
    this.capacity = capacity;
  }

  /** Memory and CPU currently reserved. */
  get used(): Capacity {
    return { memoryBytes: this.#usedMemoryBytes, cpuMillis: this.#usedCpuMillis };
  }

  /** Whether `need` could ever be satisfied, i.e. fits into the totals. */
  fits(need: ResourceNeed): boolean {
    return need.memoryMb * MiB <= this.capacity.memoryBytes &&
      need.cpuMillis <= this.capacity.cpuMillis;
  }

  /** Reserves `need` now, or returns undefined when it does not fit right now. */
  tryReserve(need: ResourceNeed): Reservation | undefined {
    const memoryBytes = need.memoryMb * MiB;
    if (!this.#available(memoryBytes, need.cpuMillis)) return undefined;
    return this.#take(memoryBytes, need.cpuMillis);
  }

  /**
   * Reserves `need`, waiting for releases as long as it takes.
   *
   * @throws the signal's reason when `signal` aborts first
   * @throws {RangeError} when `need` can never fit (check {@linkcode fits} first)
   */
  reserve(need: ResourceNeed, signal: AbortSignal): Promise<Reservation> {
    if (!this.fits(need)) {
      return Promise.reject(new RangeError("Cannot reserve more than the total capacity"));
    }
    const now = this.tryReserve(need);
    if (now !== undefined) return Promise.resolve(now);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        memoryBytes: need.memoryMb * MiB,
        cpuMillis: need.cpuMillis,
        grant: (r) => {
          signal.removeEventListener("abort", onAbort);
          resolve(r);
        },
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * What is missing for `need` right now; memory is rounded down to whole MB, so a
   * shortfall under 1 MB counts as none (as in Fn).
   */
  shortfall(need: ResourceNeed): ResourceNeed {
    const freeMemory = this.capacity.memoryBytes - this.#usedMemoryBytes;
    const freeCpu = this.capacity.cpuMillis - this.#usedCpuMillis;
    return {
      memoryMb: Math.max(0, Math.floor((need.memoryMb * MiB - freeMemory) / MiB)),
      cpuMillis: Math.max(0, need.cpuMillis - freeCpu),
    };
  }

  #available(memoryBytes: number, cpuMillis: number): boolean {
    return this.#usedMemoryBytes + memoryBytes <= this.capacity.memoryBytes &&
      this.#usedCpuMillis + cpuMillis <= this.capacity.cpuMillis;
  }

  #take(memoryBytes: number, cpuMillis: number): Reservation {
    this.#usedMemoryBytes += memoryBytes;
    this.#usedCpuMillis += cpuMillis;
    return new Reservation(memoryBytes, cpuMillis, () => {
      this.#usedMemoryBytes -= memoryBytes;
      this.#usedCpuMillis -= cpuMillis;
      this.#wakeWaiters();
    });
  }

  /** Grants waiters in arrival order while their needs fit. */
  #wakeWaiters(): void {
    for (let i = 0; i < this.#waiters.length;) {
      const w = this.#waiters[i]!;
      if (this.#available(w.memoryBytes, w.cpuMillis)) {
        this.#waiters.splice(i, 1);
        w.grant(this.#take(w.memoryBytes, w.cpuMillis));
      } else {
        i++;
      }
    }
  }
}
