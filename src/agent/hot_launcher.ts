/**
 * The hot launcher of one slot queue (agent.md §3.5, §3.6): waiting calls signal it,
 * it asks {@linkcode isNewContainerNeeded} whether another container is needed,
 * reserves memory and CPU (evicting idle containers of other functions when short)
 * and starts the container in the background. Signals are handled one at a time, so
 * a queue never has more than one launch waiting for resources.
 *
 * @module
 */

import { serverTooBusy } from "../models/api_error.ts";
import { newId } from "../models/id.ts";
import type { Logger } from "../log.ts";
import { trackLaunch } from "../metrics/container_metrics.ts";
import type { ContainerLauncher, HotContainer } from "./container.ts";
import type { ContainerTemplate } from "./container_template.ts";
import type { Evictor } from "./evictor.ts";
import { isNewContainerNeeded } from "./launch_decision.ts";
import type { Reservation, ResourceTracker } from "./resource_tracker.ts";
import type { QueueStats, SlotQueue } from "./slot_queue.ts";

/** A waiting call, as the launcher sees it: where its launch errors go. */
export interface LaunchCaller {
  /** False once the call stopped waiting; its launch errors are then only logged. */
  readonly listening: boolean;
  /** Ends the call's wait with `err`. */
  fail(err: unknown): void;
}

/** Options for {@linkcode HotLauncher}. */
export interface HotLauncherOptions {
  readonly queue: Pick<SlotQueue<unknown>, "key" | "stats" | "setContainerState" | "recordStart">;
  readonly template: ContainerTemplate;
  readonly launcher: ContainerLauncher;
  readonly tracker: ResourceTracker;
  readonly evictor: Evictor;
  /** Blocking mode waits this long for resources per signal. */
  readonly hotPollMs: number;
  /** True: no capacity and nothing to evict fails the signalling call with 503 at once. */
  readonly nonBlocking: boolean;
  /** Bounds the wait for evicted containers to be torn down. */
  readonly evictionWaitMs: number;
  /** Aborted on agent shutdown: launches stop, waits end. */
  readonly stopSignal: AbortSignal;
  /** Takes over a started container and the reservation it holds. */
  readonly onLaunched: (container: HotContainer, reservation: Reservation) => void;
  readonly log: Logger;
  /** The launch policy. @default {isNewContainerNeeded} */
  readonly decide?: (stats: QueueStats) => boolean;
}

/** Starts containers for one slot queue when its waiting calls need them. */
export class HotLauncher {
  readonly #o: HotLauncherOptions;
  readonly #decide: (stats: QueueStats) => boolean;
  #pending: LaunchCaller | undefined;
  #running = false;

  constructor(options: HotLauncherOptions) {
    this.#o = options;
    const learnFirst = !options.nonBlocking;
    this.#decide = options.decide ??
      ((stats) => isNewContainerNeeded(stats, Date.now(), { learnFirst }));
  }

  /**
   * Asks for a launch check on behalf of `caller`. Like Fn's one-deep channel, a
   * signal that arrives while another is pending is dropped: the pending check covers
   * it, and the caller signals again on its next poll.
   */
  signal(caller: LaunchCaller): void {
    if (this.#pending !== undefined) return;
    this.#pending = caller;
    if (!this.#running) void this.#loop();
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending !== undefined && !this.#o.stopSignal.aborted) {
        const caller = this.#pending;
        this.#pending = undefined;
        try {
          await this.#checkLaunch(caller);
        } catch (err) {
          this.#o.log.error("launch check failed", { err });
        }
      }
    } finally {
      this.#pending = undefined;
      this.#running = false;
    }
  }

  async #checkLaunch(caller: LaunchCaller): Promise<void> {
    const { queue } = this.#o;
    if (!caller.listening || !this.#decide(queue.stats())) return;
    queue.setContainerState(undefined, "wait");
    let reservation: Reservation | undefined;
    try {
      reservation = await this.#reserve(caller);
    } finally {
      queue.setContainerState("wait", reservation === undefined ? undefined : "start");
    }
    if (reservation !== undefined) void this.#launch(caller, reservation);
  }

  /** Gets the container's reservation, or evicts for it and returns undefined. */
  async #reserve(caller: LaunchCaller): Promise<Reservation | undefined> {
    const { tracker, template, nonBlocking } = this.#o;
    const reservation = nonBlocking
      ? tracker.tryReserve(template.need)
      : await this.#reserveWithin(this.#o.hotPollMs);
    if (reservation !== undefined) return reservation;
    const evicted = this.#o.evictor.evict(template.key, tracker.shortfall(template.need));
    if (evicted.length === 0) {
      // Blocking mode: nothing reported; the caller's next poll tries again.
      if (nonBlocking) caller.fail(serverTooBusy());
      return undefined;
    }
    this.#o.log.debug("evicting idle containers", { count: evicted.length });
    // Wait for the evicted containers to release their reservations, so the next
    // signal finds the room instead of evicting again or answering a false 503.
    await this.#within(Promise.all(evicted), this.#o.evictionWaitMs);
    return undefined;
  }

  async #reserveWithin(ms: number): Promise<Reservation | undefined> {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), ms);
    const onStop = () => stop.abort();
    this.#o.stopSignal.addEventListener("abort", onStop, { once: true });
    try {
      return await this.#o.tracker.reserve(this.#o.template.need, stop.signal);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      this.#o.stopSignal.removeEventListener("abort", onStop);
    }
  }

  async #within(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    try {
      await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #launch(caller: LaunchCaller, reservation: Reservation): Promise<void> {
    const { queue, template, log } = this.#o;
    const spec = { ...template.spec, id: newId() };
    let container: HotContainer;
    const launchedAt = performance.now();
    try {
      container = await trackLaunch(spec, this.#o.launcher.launch(spec, this.#o.stopSignal));
      queue.recordStart(performance.now() - launchedAt);
    } catch (err) {
      reservation.release();
      queue.setContainerState("start", undefined);
      log.info("container launch failed", { container_id: spec.id, err: String(err) });
      // Fn semantics: the error belongs to the call whose signal caused the launch.
      if (caller.listening) caller.fail(err);
      return;
    }
    this.#o.onLaunched(container, reservation);
  }
}
