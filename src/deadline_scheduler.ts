/**
 * `DeadlineScheduler`: many deadlines on one timer. Every call has a deadline that
 * almost never fires; a timer per call (a Node `Timeout` in Deno's compat layer) costs
 * ~10 µs to create and clear on the hot path. Here a deadline is an entry in a min-heap
 * and one timer is armed for the earliest; cancelling only marks the entry, and
 * cancelled entries are dropped as they reach the top (or in one sweep when they
 * outnumber the live ones).
 *
 * Time comes from `Date.now()` and `setTimeout` looked up on each use, so fake clocks
 * (`@sinonjs/fake-timers`) drive it in tests.
 *
 * ```ts
 * const entry = deadlines.schedule(Date.now() + 30_000, () => abort());
 * // ... the call finished in time:
 * entry.cancel();
 * ```
 *
 * @module
 */

/** A scheduled deadline. */
export interface ScheduledDeadline {
  /** Stops the deadline from firing (idempotent; a no-op once it fired). */
  cancel(): void;
}

interface Entry extends ScheduledDeadline {
  readonly atMs: number;
  readonly fire: () => void;
  /** Insertion order: equal deadlines fire in the order they were scheduled. */
  readonly seq: number;
  done: boolean;
}

/** Sweep cancelled entries once there are this many and they outnumber the live ones. */
const SWEEP_MIN = 1024;

/** Options of {@linkcode DeadlineScheduler}. */
export interface DeadlineSchedulerOptions {
  /**
   * Where an error thrown by a callback goes.
   * @default {rethrown on a microtask, as an uncaught error}
   */
  readonly onError?: (err: unknown) => void;
}

/** Runs callbacks at their deadlines from one timer; see the module doc. */
export class DeadlineScheduler {
  readonly #onError: (err: unknown) => void;
  #heap: Entry[] = [];
  #cancelled = 0;
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (ms since the epoch); Infinity when none is armed. */
  #armedAtMs = Infinity;

  /** A scheduler with no deadlines yet. */
  constructor(options: DeadlineSchedulerOptions = {}) {
    this.#onError = options.onError ?? ((err) =>
      queueMicrotask(() => {
        throw err;
      }));
  }

  /** How many deadlines are pending (not fired, not cancelled). */
  get size(): number {
    return this.#heap.length - this.#cancelled;
  }

  /**
   * Calls `fire` once `Date.now()` reaches `atMs` (at once, from the timer, if it
   * already has). If `fire` throws, the error goes to `onError` and the other
   * deadlines still fire.
   */
  schedule(atMs: number, fire: () => void): ScheduledDeadline {
    const entry: Entry = {
      atMs,
      fire,
      seq: this.#seq++,
      done: false,
      cancel: () => {
        if (entry.done) return;
        entry.done = true;
        this.#cancelled++;
        if (this.#cancelled >= SWEEP_MIN && this.#cancelled * 2 > this.#heap.length) {
          this.#sweep();
        }
      },
    };
    this.#push(entry);
    if (atMs < this.#armedAtMs) this.#arm();
    return entry;
  }

  /** Cancels every pending deadline and the timer (for shutdown and tests). */
  clear(): void {
    for (const entry of this.#heap) entry.done = true;
    this.#heap = [];
    this.#cancelled = 0;
    this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    const top = this.#heap[0];
    if (top === undefined) return;
    this.#armedAtMs = top.atMs;
    const timer = setTimeout(() => this.#onTimer(), Math.max(0, top.atMs - Date.now()));
    this.#timer = timer;
    // A pending deadline must not keep the process alive on its own.
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
    const now = Date.now();
    for (let top = this.#heap[0]; top !== undefined && top.atMs <= now; top = this.#heap[0]) {
      this.#pop();
      if (top.done) {
        this.#cancelled--;
        continue;
      }
      top.done = true;
      try {
        top.fire();
      } catch (err) {
        this.#onError(err);
      }
    }
    this.#dropCancelledTop();
    if (this.#heap.length > 0) this.#arm();
  }

  /** Pops cancelled entries off the top, so the timer is armed for a live one. */
  #dropCancelledTop(): void {
    while (this.#heap[0]?.done === true) {
      this.#pop();
      this.#cancelled--;
    }
  }

  #sweep(): void {
    const live = this.#heap.filter((e) => !e.done);
    this.#heap = [];
    this.#cancelled = 0;
    for (const entry of live) this.#push(entry);
    if (this.#heap[0]?.atMs !== this.#armedAtMs) this.#arm();
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
      if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
      if (min === i) return;
      [heap[i], heap[min]] = [heap[min]!, heap[i]!];
      i = min;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** The process-wide scheduler the call path uses. */
export const deadlines: DeadlineScheduler = new DeadlineScheduler();
