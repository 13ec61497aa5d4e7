/**
 * The life of one hot container inside the agent (agent.md §2.5): offer an idle slot,
 * freeze after `freezeIdleMs`, serve the call that claims it (thawing first), and
 * repeat; retire on idle timeout, eviction, exit, a non-reusable call or shutdown.
 * Teardown removes the container and only then releases its reservation.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { countRemoval } from "../metrics/container_metrics.ts";
import type { Dispatch, DispatchRequest, HotContainer, LaunchTimings } from "./container.ts";
import type { Evictor } from "./evictor.ts";
import type { Reservation } from "./resource_tracker.ts";
import { type ContainerState, Slot, type SlotQueue } from "./slot_queue.ts";

/**
 * What a call holds once it claimed a container's slot: `prepare()` then `dispatch()`
 * once, or `giveBack()`.
 */
export interface SlotLease {
  readonly containerId: string;
  /**
   * Thaws the container if it is frozen.
   *
   * @throws {SlotLostError} when the container broke while idle; the call has not
   *   started and should wait for another slot
   */
  prepare(): Promise<void>;
  /** Sends the call; the container goes back to idle when `finished` says reusable. */
  dispatch(request: DispatchRequest): Dispatch;
  /** Returns the slot unused (the call gave up before dispatching). */
  giveBack(): void;
  /** After `dispatch`: the container's launch timings when this was its first call. */
  readonly launch: LaunchTimings | undefined;
}

/** The claimed container cannot take the call after all (e.g. unpause failed). */
export class SlotLostError extends Error {
  constructor(containerId: string, cause?: unknown) {
    super(`Container ${containerId} was lost before the call started`, { cause });
    this.name = "SlotLostError";
  }
}

/** Options for {@linkcode ContainerLife}. */
export interface ContainerLifeOptions {
  readonly container: HotContainer;
  readonly queue: SlotQueue<SlotLease>;
  /** Held for the container's life; released after it was removed. */
  readonly reservation: Reservation;
  readonly evictor: Evictor;
  /** Idle time after which the container is removed. */
  readonly idleTimeoutMs: number;
  /** Idle time after which the container is paused; < 0 = never. */
  readonly freezeIdleMs: number;
  /** Aborted when the agent shuts down: idle containers retire, busy ones after the call. */
  readonly stopSignal: AbortSignal;
  readonly log: Logger;
}

/** Runs one container from ready until removed; see the module doc. */
export class ContainerLife {
  readonly #o: ContainerLifeOptions;
  #state: ContainerState = "start";
  /** Settles when the container's pause finished: true = paused. */
  #freezing: Promise<boolean> | undefined;
  #broken = false;
  #exited = false;
  #retireReason = "";
  #dispatches = 0;
  /** Retires the container while it idles (set for the duration of an idle period). */
  #retireIdle: ((reason: string) => boolean) | undefined;
  /** Resolves once the container is removed and its reservation released. */
  readonly done: Promise<void>;

  /** Starts the life at once; the queue must count the container as `start`. */
  constructor(options: ContainerLifeOptions) {
    this.#o = options;
    // One exit watcher for the whole life: a handler per idle period would pile up
    // on a container that serves many calls.
    const onExit = () => {
      this.#exited = true;
      this.#retireIdle?.("exited");
    };
    options.container.exited.then(onExit, onExit);
    this.done = this.#run();
  }

  /** The container's id. */
  get id(): string {
    return this.#o.container.id;
  }

  /** Removes the container now, even mid-call (forced shutdown). */
  kill(): Promise<void> {
    this.#retireReason ||= "killed";
    return this.#o.container.close().catch(() => {});
  }

  async #run(): Promise<void> {
    try {
      while (!this.#o.stopSignal.aborted && !this.#exited) {
        const lease = await this.#idlePeriod();
        if (lease === undefined) break;
        this.#setState("busy");
        const reusable = await lease.outcome;
        if (!reusable) {
          this.#retireReason ||= "not reusable after the call";
          break;
        }
      }
      this.#retireReason ||= this.#exited ? "exited" : "shutdown";
    } catch (err) {
      this.#o.log.error("container life failed", { err });
    } finally {
      await this.#teardown();
    }
  }

  /** Offers a slot until a call claims it (→ its lease) or the container retires. */
  #idlePeriod(): Promise<Lease | undefined> {
    const o = this.#o;
    return new Promise((resolve) => {
      const lease = new Lease(this);
      const timers: ReturnType<typeof setTimeout>[] = [];
      let settled = false;
      const finish = (result: Lease | undefined) => {
        if (settled) return;
        settled = true;
        this.#retireIdle = undefined;
        for (const t of timers) clearTimeout(t);
        registration[Symbol.dispose]();
        o.stopSignal.removeEventListener("abort", onStop);
        resolve(result);
      };
      const slot = new Slot<SlotLease>(lease, () => finish(lease));
      const retire = (reason: string): boolean => {
        if (settled || !o.queue.withdraw(slot)) return false;
        this.#retireReason ||= reason;
        finish(undefined);
        return true;
      };
      const onStop = () => retire("shutdown");
      o.stopSignal.addEventListener("abort", onStop, { once: true });
      timers.push(setTimeout(() => retire("idle timeout"), o.idleTimeoutMs));
      if (o.freezeIdleMs >= 0) {
        timers.push(setTimeout(() => this.#freeze(() => retire("pause failed")), o.freezeIdleMs));
      }
      this.#retireIdle = retire;
      // Evictable only while idle: claiming the slot disposes this synchronously.
      const registration = o.evictor.register({
        key: o.queue.key,
        memoryMb: o.reservation.memoryBytes / (1024 * 1024),
        cpuMillis: o.reservation.cpuMillis,
        evict: () => (retire("evicted") ? this.done : undefined),
      });
      this.#setState("idle");
      o.queue.offer(slot); // last: a waiting call may claim it right here
    });
  }

  #freeze(onFailure: () => void): void {
    if (this.#state !== "idle") return;
    this.#setState("paused");
    this.#freezing = this.#o.container.pause().then(() => true, (err) => {
      this.#o.log.warn("cannot pause the idle container; removing it", { err });
      this.#broken = true;
      onFailure();
      return false;
    });
  }

  /** Called by the lease before dispatching: waits for a pause, then thaws. */
  async prepareForCall(): Promise<void> {
    const freezing = this.#freezing;
    this.#freezing = undefined;
    if (freezing !== undefined && await freezing) {
      try {
        await this.#o.container.unpause();
      } catch (err) {
        this.#broken = true;
        this.#retireReason ||= "unpause failed";
        throw new SlotLostError(this.id, err);
      }
    }
    if (this.#broken) throw new SlotLostError(this.id);
  }

  #setState(next: ContainerState | undefined): void {
    this.#o.queue.setContainerState(this.#state, next);
    if (next !== undefined) this.#state = next;
  }

  async #teardown(): Promise<void> {
    const o = this.#o;
    try {
      await o.container.close();
    } catch (err) {
      o.log.error("cannot remove the container", { err });
    } finally {
      o.reservation.release();
      this.#setState(undefined);
      o.log.debug("container removed", { reason: this.#retireReason });
      countRemoval(o.container.spec, this.#retireReason, o.container.exited);
    }
  }

  /** @internal true for the first call dispatched to the container, false after */
  firstDispatch(): boolean {
    return this.#dispatches++ === 0;
  }

  /** @internal the container the leases dispatch to */
  get container(): HotContainer {
    return this.#o.container;
  }
}

/** One claim of a container's slot. */
class Lease implements SlotLease {
  readonly #life: ContainerLife;
  #prepared = false;
  #used = false;
  #launch: LaunchTimings | undefined;
  #resolveOutcome!: (reusable: boolean) => void;
  /** Whether the container can go back to idle after this lease. */
  readonly outcome: Promise<boolean>;

  constructor(life: ContainerLife) {
    this.#life = life;
    this.outcome = new Promise((resolve) => (this.#resolveOutcome = resolve));
  }

  get containerId(): string {
    return this.#life.id;
  }

  get launch(): LaunchTimings | undefined {
    return this.#launch;
  }

  async prepare(): Promise<void> {
    if (this.#prepared || this.#used) throw new Error("A slot lease can only be used once");
    this.#prepared = true;
    try {
      await this.#life.prepareForCall();
    } catch (err) {
      this.#use();
      this.#resolveOutcome(false);
      throw err instanceof SlotLostError ? err : new SlotLostError(this.containerId, err);
    }
  }

  dispatch(request: DispatchRequest): Dispatch {
    if (!this.#prepared) throw new Error("Call prepare() before dispatch()");
    this.#use();
    if (this.#life.firstDispatch()) this.#launch = this.#life.container.timings;
    let dispatch: Dispatch;
    try {
      dispatch = this.#life.container.dispatch(request);
    } catch (err) {
      this.#resolveOutcome(false);
      throw err;
    }
    dispatch.finished.then(
      (o) => this.#resolveOutcome(o.reusable),
      () => this.#resolveOutcome(false),
    );
    return dispatch;
  }

  giveBack(): void {
    this.#use();
    this.#resolveOutcome(true);
  }

  #use(): void {
    if (this.#used) throw new Error("A slot lease can only be used once");
    this.#used = true;
  }
}
