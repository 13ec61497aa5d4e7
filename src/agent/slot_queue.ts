/**
 * One queue per slot key (agent.md §3.3): the idle containers of one function version,
 * handed out newest first (LIFO) so surplus containers age out, plus the calls waiting
 * for one and the counters the launcher decides on.
 *
 * Taking a slot is atomic: a slot is either on the idle stack or claimed, and exactly
 * one party claims it, either a waiting call or the container itself (idle timeout,
 * eviction, shutdown). JavaScript runs this code without preemption, so removing the
 * slot from the stack *is* the compare-and-set.
 *
 * @module
 */

import { Ewma } from "../metrics/ewma.ts";

/** Container states counted per queue (Fn's WAIT, START, IDLE, PAUSED, BUSY). */
export type ContainerState = "wait" | "start" | "idle" | "paused" | "busy";

/** Counters of one queue. */
export interface QueueStats {
  /** Calls waiting for a slot. */
  readonly waitingCalls: number;
  /** Calls holding a slot. */
  readonly executingCalls: number;
  /** Containers per state; `wait` = launches waiting for resources. */
  readonly containers: Readonly<Record<ContainerState, number>>;
  /** When a call last claimed a slot (epoch ms; the queue's creation before that). */
  readonly lastClaimAt: number;
  /** Moving average of a call's execution time in ms (absent before the first call). */
  readonly callMs?: number;
  /** Moving average of a container's launch time in ms (absent before the first launch). */
  readonly startMs?: number;
}

/** One idle container's readiness for one call. */
export class Slot<T> {
  /** What the claiming call gets (the container's lease). */
  readonly lease: T;
  /** Resolves when a call claims this slot (never when the container withdraws it). */
  readonly claimed: Promise<void>;
  #resolveClaimed!: () => void;
  readonly #onClaim: (() => void) | undefined;

  /**
   * @param lease what the claiming call gets
   * @param onClaim runs synchronously at the moment a call claims the slot, so the
   *   container can stop being evictable before anything else runs
   */
  constructor(lease: T, onClaim?: () => void) {
    this.lease = lease;
    this.#onClaim = onClaim;
    this.claimed = new Promise((resolve) => (this.#resolveClaimed = resolve));
  }

  /** @internal called by the queue when a call claims the slot */
  markClaimed(): void {
    this.#onClaim?.();
    this.#resolveClaimed();
  }
}

interface Waiter<T> {
  readonly resolve: (slot: Slot<T>) => void;
}

/** Idle slots and waiting calls of one function version. */
export class SlotQueue<T> {
  readonly key: string;
  readonly #idle: Slot<T>[] = [];
  readonly #waiters: Waiter<T>[] = [];
  #executingCalls = 0;
  readonly #containers: Record<ContainerState, number> = {
    wait: 0,
    start: 0,
    idle: 0,
    paused: 0,
    busy: 0,
  };
  readonly #onIdle: (queue: SlotQueue<T>) => void;
  #lastClaimAt = Date.now();
  readonly #callMs = new Ewma();
  readonly #startMs = new Ewma();

  /**
   * @param key the slot key
   * @param onIdle called whenever the queue becomes completely idle (no calls, no
   *   containers), so its owner can forget it
   */
  constructor(key: string, onIdle: (queue: SlotQueue<T>) => void = () => {}) {
    this.key = key;
    this.#onIdle = onIdle;
  }

  /** A snapshot of the counters. */
  stats(): QueueStats {
    const callMs = this.#callMs.value;
    const startMs = this.#startMs.value;
    return {
      waitingCalls: this.#waiters.length,
      executingCalls: this.#executingCalls,
      containers: { ...this.#containers },
      lastClaimAt: this.#lastClaimAt,
      ...(callMs === undefined ? {} : { callMs }),
      ...(startMs === undefined ? {} : { startMs }),
    };
  }

  /** Feeds a finished call's execution time into {@linkcode QueueStats.callMs}. */
  recordCall(ms: number): void {
    this.#callMs.add(ms);
  }

  /** Feeds a container's launch time into {@linkcode QueueStats.startMs}. */
  recordStart(ms: number): void {
    this.#startMs.add(ms);
  }

  /** Whether nothing waits, runs or lives in this queue. */
  isIdle(): boolean {
    return this.#waiters.length === 0 && this.#executingCalls === 0 &&
      Object.values(this.#containers).every((n) => n === 0);
  }

  /**
   * Makes an idle container's slot available: the longest-waiting call gets it at
   * once, otherwise it goes on top of the idle stack.
   */
  offer(slot: Slot<T>): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#lastClaimAt = Date.now();
      slot.markClaimed();
      waiter.resolve(slot);
      return;
    }
    this.#idle.push(slot);
  }

  /** Claims the newest idle slot, if any. */
  take(): Slot<T> | undefined {
    const slot = this.#idle.pop();
    if (slot === undefined) return undefined;
    this.#lastClaimAt = Date.now();
    slot.markClaimed();
    return slot;
  }

  /**
   * The container claims its own slot back (idle timeout, eviction, shutdown).
   *
   * @returns false when a call claimed it first; the container must then serve it
   */
  withdraw(slot: Slot<T>): boolean {
    const i = this.#idle.lastIndexOf(slot);
    if (i < 0) return false;
    this.#idle.splice(i, 1);
    return true;
  }

  /**
   * Claims a slot, waiting for one to be offered.
   *
   * @throws the signal's reason when `signal` aborts first
   */
  waitForSlot(signal: AbortSignal): Promise<Slot<T>> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const now = this.take();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (slot) => {
          signal.removeEventListener("abort", onAbort);
          resolve(slot);
        },
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal.reason);
        this.#checkIdle();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Counts a call as executing (it holds a slot) until `callFinished()`. */
  callStarted(): void {
    this.#executingCalls++;
  }

  /** The call that held a slot is over. */
  callFinished(): void {
    this.#executingCalls--;
    this.#checkIdle();
  }

  /** Moves one container between states; undefined = not (or no longer) counted. */
  setContainerState(from: ContainerState | undefined, to: ContainerState | undefined): void {
    if (from !== undefined) this.#containers[from]--;
    if (to !== undefined) this.#containers[to]++;
    if (to === undefined) this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.isIdle()) this.#onIdle(this);
  }
}
