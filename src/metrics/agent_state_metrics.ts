/**
 * Gauges read from live local agents when `/metrics` is scraped, so the call path pays
 * nothing for them: Fn's `fn_container_{wait,start,idle,paused,busy}_total` per function
 * (`agent.md` §3.10) and the resource tracker's `fn_util_mem_used`, `fn_util_mem_avail`
 * (bytes) and `fn_util_cpu_used`, `fn_util_cpu_avail` (milli-CPUs), where *avail* is
 * what is left to reserve (`agent.md` §3.7).
 *
 * @module
 */

import type client from "prom-client";
import type { ContainerState } from "../agent/slot_queue.ts";
import { registry as sharedRegistry } from "./registry.ts";
import { gauge } from "./families.ts";

/** One function's container counts. */
export interface QueueState {
  readonly appId: string;
  readonly fnId: string;
  readonly containers: Readonly<Record<ContainerState, number>>;
}

/** What an agent reports at scrape time. */
export interface AgentState {
  readonly queues: Iterable<QueueState>;
  readonly memory: { readonly usedBytes: number; readonly totalBytes: number };
  readonly cpu: { readonly usedMillis: number; readonly totalMillis: number };
}

/** Something that can report an {@linkcode AgentState}; undefined once it is closed. */
export interface AgentStateSource {
  stateSnapshot(): AgentState | undefined;
}

const STATES: readonly ContainerState[] = ["wait", "start", "idle", "paused", "busy"];

const STATE_HELP: Readonly<Record<ContainerState, string>> = {
  wait: "containers waiting for resources to start",
  start: "containers starting",
  idle: "containers idle, ready for a call",
  paused: "containers paused while idle",
  busy: "containers running a call",
};

/** Reports the state of every tracked agent. */
export class AgentStateMetrics {
  readonly #sources = new Set<WeakRef<AgentStateSource>>();

  /** Registers (or reuses) the gauges on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    for (const state of STATES) {
      gauge(
        registry,
        `fn_container_${state}_total`,
        STATE_HELP[state],
        ["app_id", "fn_id"],
        (g) => {
          g.reset();
          for (const s of this.#snapshots()) {
            for (const q of s.queues) {
              g.inc({ "app_id": q.appId, "fn_id": q.fnId }, q.containers[state]);
            }
          }
        },
      );
    }
    const total = (name: string, help: string, pick: (s: AgentState) => number) =>
      gauge(registry, name, help, [], (g) => {
        g.set(this.#snapshots().reduce((n, s) => n + pick(s), 0));
      });
    total(
      "fn_util_mem_used",
      "memory reserved for containers, in bytes",
      (s) => s.memory.usedBytes,
    );
    total(
      "fn_util_mem_avail",
      "memory left to reserve for containers, in bytes",
      (s) => s.memory.totalBytes - s.memory.usedBytes,
    );
    total(
      "fn_util_cpu_used",
      "CPU reserved for containers, in milli-CPUs",
      (s) => s.cpu.usedMillis,
    );
    total(
      "fn_util_cpu_avail",
      "CPU left to reserve for containers, in milli-CPUs",
      (s) => s.cpu.totalMillis - s.cpu.usedMillis,
    );
  }

  /** Reports `source` until it is closed or garbage. */
  track(source: AgentStateSource): void {
    this.#sources.add(new WeakRef(source));
  }

  #snapshots(): AgentState[] {
    const out: AgentState[] = [];
    for (const ref of this.#sources) {
      const state = ref.deref()?.stateSnapshot();
      if (state === undefined) this.#sources.delete(ref);
      else out.push(state);
    }
    return out;
  }
}

let shared: AgentStateMetrics | undefined;

/** Reports `source` on the shared registry's gauges. */
export function trackAgentState(source: AgentStateSource): void {
  shared ??= new AgentStateMetrics();
  shared.track(source);
}
