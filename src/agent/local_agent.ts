/**
 * The full node's and pure runner's {@linkcode Agent}: runs calls in hot containers
 * on this machine. A call waits for a slot of its function's queue (signalling the
 * queue's launcher while it waits), thaws the container, starts the function's
 * timeout clock and dispatches (agent.md §3.1).
 *
 * @module
 */

import { APIError, serverTooBusy } from "../models/api_error.ts";
import type { Logger } from "../log.ts";
import { type AgentState, trackAgentState } from "../metrics/agent_state_metrics.ts";
import type { AgentConfig } from "./agent_config.ts";
import { cannotAllocate } from "./call_build_error.ts";
import { type CapacitySources, readCapacity, systemSources } from "./capacity.ts";
import type { Agent, CallOutcome, CallRequest, CallResponse, CallStatus } from "./call.ts";
import type {
  ContainerLauncher,
  Dispatch,
  DispatchOutcome,
  HotContainer,
  LaunchTimings,
} from "./container.ts";
import { ContainerLife, type SlotLease, SlotLostError } from "./container_life.ts";
import { type ContainerTemplate, containerTemplate } from "./container_template.ts";
import { Evictor } from "./evictor.ts";
import { stripHopByHop } from "./hop_by_hop.ts";
import { HotLauncher, type LaunchCaller } from "./hot_launcher.ts";
import { type Reservation, ResourceTracker } from "./resource_tracker.ts";
import { type QueueStats, type Slot, SlotQueue } from "./slot_queue.ts";
import { isWaitStalled, stallLimitMs } from "./wait_limit.ts";

/** A dispatched call: its dispatch, when it started, and its container's launch if first. */
interface StartedCall {
  readonly dispatch: Dispatch;
  readonly startedAt: number;
  readonly launch: LaunchTimings | undefined;
}
/** Options for {@linkcode LocalAgent}. */
export interface LocalAgentOptions {
  readonly config: AgentConfig;
  /** Starts containers; the agent closes it on `close()`. */
  readonly launcher: ContainerLauncher;
  readonly tracker: ResourceTracker;
  readonly log: Logger;
  /** The launch policy. @default {isNewContainerNeeded} */
  readonly decide?: (stats: QueueStats) => boolean;
}

/** Options for {@linkcode createLocalAgent}. */
export interface CreateLocalAgentOptions {
  readonly config: AgentConfig;
  /** Starts containers; the agent closes it on `close()`. */
  readonly launcher: ContainerLauncher;
  readonly log: Logger;
  /** Where the machine's capacity is read from. @default {/proc and /sys} */
  readonly capacitySources?: CapacitySources;
}

/**
 * A {@linkcode LocalAgent} sized to this machine (agent.md §3.7).
 *
 * @throws {Error} when the machine's memory cannot be sized (see `readCapacity`)
 */
export function createLocalAgent(options: CreateLocalAgentOptions): LocalAgent {
  const capacity = readCapacity(options.config, options.capacitySources ?? systemSources);
  options.log.info("agent capacity", {
    memory_mb: Math.floor(capacity.memoryBytes / (1024 * 1024)),
    cpu_mcpus: capacity.cpuMillis,
    non_blocking: options.config.nonBlockingResourceTracker,
  });
  const agent = new LocalAgent({
    config: options.config,
    launcher: options.launcher,
    tracker: new ResourceTracker(capacity),
    log: options.log,
  });
  trackAgentState(agent);
  return agent;
}

/** The per-key state: queue and launcher. */
interface QueueEntry {
  readonly template: ContainerTemplate;
  readonly queue: SlotQueue<SlotLease>;
  readonly launcher: HotLauncher;
}

/** Runs calls in local hot containers. */
export class LocalAgent implements Agent {
  readonly #o: LocalAgentOptions;
  readonly #evictor = new Evictor();
  readonly #queues = new Map<string, QueueEntry>();
  readonly #lives = new Set<ContainerLife>();
  /** Aborted (with a 503) when the agent starts closing. */
  readonly #stop = new AbortController();
  #inflight = 0;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: LocalAgentOptions) {
    this.#o = options;
  }

  /** Counters of every live queue, by slot key (for status and tests). */
  queueStats(): Map<string, QueueStats> {
    return new Map([...this.#queues].map(([key, e]) => [key, e.queue.stats()]));
  }

  /** How many containers are alive (starting ones excluded). */
  get containerCount(): number {
    return this.#lives.size;
  }

  /** Idle containers evicted so far. */
  get evictions(): number {
    return this.#evictor.evictions;
  }

  /** Containers per state and function, and reserved resources (for `/metrics`). */
  stateSnapshot(): AgentState | undefined {
    if (this.#stop.signal.aborted && this.#lives.size === 0) return undefined;
    const { tracker } = this.#o;
    return {
      queues: [...this.#queues.values()].map((e) => ({
        appId: e.template.spec.appId,
        fnId: e.template.spec.fnId,
        containers: e.queue.stats().containers,
      })),
      memory: { usedBytes: tracker.used.memoryBytes, totalBytes: tracker.capacity.memoryBytes },
      cpu: { usedMillis: tracker.used.cpuMillis, totalMillis: tracker.capacity.cpuMillis },
    };
  }

  async submit(call: CallRequest): Promise<CallResponse> {
    if (this.#stop.signal.aborted) throw serverTooBusy();
    const template = containerTemplate(call.app, call.fn);
    if (!this.#o.tracker.fits(template.need)) throw cannotAllocate();
    call.onAccepted?.();
    const entry = this.#entryFor(template);
    const submittedAt = Date.now();
    this.#inflight++;
    let started: StartedCall | undefined;
    try {
      started = await this.#start(call, entry, submittedAt);
      const head = await started.dispatch.response;
      const done = this.#finish(started, entry, submittedAt, call.signal);
      return { status: head.status, headers: stripHopByHop(head.headers), body: head.body, done };
    } catch (err) {
      if (started === undefined) {
        this.#callOver();
      } else {
        void this.#finish(started, entry, submittedAt, call.signal);
      }
      throw err;
    }
  }

  /** Waits for a slot, thaws its container and dispatches; retries lost slots. */
  async #start(
    call: CallRequest,
    entry: QueueEntry,
    submittedAt: number,
  ): Promise<StartedCall> {
    for (;;) {
      const slot = await this.#waitForSlot(call, entry, submittedAt);
      const lease = slot.lease;
      entry.queue.callStarted();
      try {
        if (call.signal.aborted) throw call.signal.reason;
        await lease.prepare();
      } catch (err) {
        if (!(err instanceof SlotLostError)) lease.giveBack();
        entry.queue.callFinished();
        if (err instanceof SlotLostError && !call.signal.aborted) {
          this.#o.log.warn("slot lost before the call started; waiting for another", { err });
          continue;
        }
        throw call.signal.aborted ? call.signal.reason : err;
      }
      let dispatching = false;
      try {
        call.onStart?.();
        const startedAt = Date.now();
        dispatching = true;
        const dispatch = lease.dispatch({
          callId: call.id,
          method: call.method,
          url: call.url,
          headers: stripHopByHop(call.headers),
          body: call.body,
          ...(call.bodyLength === undefined ? {} : { bodyLength: call.bodyLength }),
          deadline: new Date(startedAt + entry.template.timeoutMs),
          signal: call.signal,
          maxResponseBytes: this.#o.config.maxResponseBytes,
        });
        return { dispatch, startedAt, launch: lease.launch };
      } catch (err) {
        // A failed dispatch already retired the container; before it, the slot is
        // still good and goes back.
        if (!dispatching) lease.giveBack();
        entry.queue.callFinished();
        throw err;
      }
    }
  }

  /**
   * Claims a slot of the call's queue. While waiting, it signals the queue's launcher
   * now and every `hotPollMs`; launch errors meant for this call end the wait.
   *
   * @throws the launch error, 503 when the agent closes or the wait stalls
   *   (see `wait_limit.ts`), or the call signal's reason when the client left
   */
  async #waitForSlot(
    call: CallRequest,
    entry: QueueEntry,
    submittedAt: number,
  ): Promise<Slot<SlotLease>> {
    // Hot path: an idle container is ready now; nothing to wait for or launch.
    if (!call.signal.aborted) {
      const ready = entry.queue.take();
      if (ready !== undefined) return ready;
    }
    const ended = new AbortController();
    const signal = AbortSignal.any([call.signal, this.#stop.signal, ended.signal]);
    const caller: LaunchCaller = {
      get listening() {
        return !signal.aborted;
      },
      fail: (err) => ended.abort(err),
    };
    const limitMs = stallLimitMs(entry.template.timeoutMs, this.#o.config.hotStartTimeoutMs);
    const poll = () => {
      if (isWaitStalled(entry.queue.stats(), submittedAt, Date.now(), limitMs)) {
        ended.abort(serverTooBusy());
        return;
      }
      entry.launcher.signal(caller);
    };
    // Registering the waiter first lets the launcher count it when deciding.
    const claimed = entry.queue.waitForSlot(signal);
    if (!signal.aborted) poll();
    const timer = setInterval(poll, this.#o.config.hotPollMs);
    try {
      return await claimed;
    } finally {
      clearInterval(timer);
    }
  }

  /** Settles when the dispatch finished; releases the call's bookkeeping. */
  async #finish(
    started: StartedCall,
    entry: QueueEntry,
    submittedAt: number,
    signal: AbortSignal,
  ): Promise<CallOutcome> {
    let outcome: DispatchOutcome;
    try {
      outcome = await started.dispatch.finished;
    } catch (err) {
      outcome = {
        reusable: false,
        error: err instanceof APIError ? err : new APIError(500, "internal server error"),
      };
    }
    entry.queue.callFinished();
    this.#callOver();
    const completedAt = new Date();
    // How long calls hold a container feeds the launch decision (launch_decision.ts).
    entry.queue.recordCall(completedAt.getTime() - started.startedAt);
    return {
      // Deno also aborts a request's signal after a successful response, so only a
      // failed call counts as canceled by the client.
      status: outcome.error !== undefined && signal.aborted ? "canceled" : outcomeStatus(outcome),
      ...(outcome.error ? { error: outcome.error } : {}),
      schedulerMs: started.startedAt - submittedAt,
      executionMs: completedAt.getTime() - started.startedAt,
      startedAt: new Date(started.startedAt),
      completedAt,
      ...(started.launch ? { launch: started.launch } : {}),
    };
  }

  #callOver(): void {
    this.#inflight--;
    if (this.#inflight === 0) this.#drained?.();
  }

  #entryFor(template: ContainerTemplate): QueueEntry {
    const existing = this.#queues.get(template.key);
    if (existing !== undefined) return existing;
    const queue = new SlotQueue<SlotLease>(template.key, (q) => {
      // Forget a queue once nothing waits, runs or lives in it; the next call makes
      // a fresh one, so queues of changed or deleted functions do not pile up.
      if (this.#queues.get(q.key)?.queue === q) this.#queues.delete(q.key);
    });
    const { config, launcher, tracker, log } = this.#o;
    const entry: QueueEntry = {
      template,
      queue,
      launcher: new HotLauncher({
        queue,
        template,
        launcher,
        tracker,
        evictor: this.#evictor,
        hotPollMs: config.hotPollMs,
        nonBlocking: config.nonBlockingResourceTracker,
        evictionWaitMs: config.hotLauncherTimeoutMs,
        stopSignal: this.#stop.signal,
        onLaunched: (container, reservation) => this.#adopt(entry, container, reservation),
        log: log.child({ app_id: template.spec.appId, fn_id: template.spec.fnId }),
        ...(this.#o.decide ? { decide: this.#o.decide } : {}),
      }),
    };
    this.#queues.set(template.key, entry);
    return entry;
  }

  #adopt(entry: QueueEntry, container: HotContainer, reservation: Reservation): void {
    const { spec } = entry.template;
    const life = new ContainerLife({
      container,
      queue: entry.queue,
      reservation,
      evictor: this.#evictor,
      idleTimeoutMs: entry.template.idleTimeoutMs,
      freezeIdleMs: this.#o.config.freezeIdleMs,
      stopSignal: this.#stop.signal,
      log: this.#o.log.child({ app_id: spec.appId, fn_id: spec.fnId, container_id: container.id }),
    });
    this.#lives.add(life);
    void life.done.then(() => this.#lives.delete(life));
  }

  /**
   * Stops taking calls (503), lets in-flight calls finish for at most `graceMs`, then
   * removes every container, busy or not, and closes the launcher. Idempotent.
   */
  close(graceMs = 30_000): Promise<void> {
    this.#closing ??= this.#close(graceMs);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    this.#stop.abort(serverTooBusy());
    if (this.#inflight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.#drained = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      if (this.#inflight > 0) {
        this.#o.log.warn("calls still running after the shutdown grace period; killing them", {
          calls: this.#inflight,
        });
      }
    }
    const lives = [...this.#lives];
    await Promise.all(lives.map((life) => life.kill()));
    await Promise.all(lives.map((life) => life.done));
    await this.#o.launcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function outcomeStatus(outcome: DispatchOutcome): CallStatus {
  const error = outcome.error;
  if (error === undefined) return "success";
  if (error.status === 504) return "timeout";
  if (error.status === 503) return "busy";
  return "error";
}
