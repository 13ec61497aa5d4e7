/**
 * Fn's agent call counters (`lb-runner.md` §6.4): `fn_calls`, `fn_queued`, `fn_running`,
 * `fn_completed`, `fn_canceled`, `fn_timeouts`, `fn_errors`, `fn_server_busy`, with
 * Fn's HELP texts, labelled by `app_id` and `fn_id`; plus fnd's latency split of a call:
 * `fn_call_sched_latency` (submit until a container took it) and `fn_call_exec_latency`
 * (execution), in ms.
 *
 * The hot path only bumps plain numbers in a per-function record; the counters are
 * written into the families when `/metrics` is scraped. `fn_queued` and `fn_running`
 * are gauges here: Fn exports them as counters that go up and down, which Prometheus
 * tooling misreads.
 *
 * @module
 */

import type client from "prom-client";
import type { CallStatus } from "../agent/call.ts";
import { registry as sharedRegistry } from "./registry.ts";
import { counter, FINE_LATENCY_BUCKETS_MS, gauge, histogram } from "./families.ts";

/** Live counters of one function. */
export interface FnCallCounts {
  readonly appId: string;
  readonly fnId: string;
  calls: number;
  queued: number;
  running: number;
  completed: number;
  canceled: number;
  timeouts: number;
  errors: number;
  serverBusy: number;
}

type CountKey = Exclude<keyof FnCallCounts, "appId" | "fnId">;
type IdLabels = "app_id" | "fn_id";

/** Name, HELP and field of each family, Fn's where Fn has them. */
const FAMILIES: readonly {
  name: string;
  help: string;
  key: CountKey;
  kind: "counter" | "gauge";
}[] = [
  { name: "fn_calls", help: "calls created in agent", key: "calls", kind: "counter" },
  {
    name: "fn_queued",
    help: "calls currently queued against agent",
    key: "queued",
    kind: "gauge",
  },
  {
    name: "fn_running",
    help: "calls currently running in agent",
    key: "running",
    kind: "gauge",
  },
  { name: "fn_completed", help: "calls completed in agent", key: "completed", kind: "counter" },
  { name: "fn_canceled", help: "calls canceled in agent", key: "canceled", kind: "counter" },
  { name: "fn_timeouts", help: "calls timed out in agent", key: "timeouts", kind: "counter" },
  { name: "fn_errors", help: "calls errored in agent", key: "errors", kind: "counter" },
  {
    name: "fn_server_busy",
    help: "calls where server was too busy in agent",
    key: "serverBusy",
    kind: "counter",
  },
];

/** Which counter a finished call's status bumps. */
const STATUS_KEY: Readonly<Record<CallStatus, CountKey>> = {
  success: "completed",
  canceled: "canceled",
  timeout: "timeouts",
  error: "errors",
  busy: "serverBusy",
};

/** The call metric families on one registry. */
export class CallMetrics {
  readonly schedLatency: client.Histogram<IdLabels>;
  readonly execLatency: client.Histogram<IdLabels>;
  readonly #byFn = new Map<string, FnCallCounts>();

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    const byFn = this.#byFn;
    for (const family of FAMILIES) {
      const key = family.key;
      if (family.kind === "counter") {
        counter(registry, family.name, family.help, ["app_id", "fn_id"], (m) => {
          m.reset();
          for (const c of byFn.values()) m.inc({ "app_id": c.appId, "fn_id": c.fnId }, c[key]);
        });
      } else {
        gauge(registry, family.name, family.help, ["app_id", "fn_id"], (m) => {
          m.reset();
          for (const c of byFn.values()) m.set({ "app_id": c.appId, "fn_id": c.fnId }, c[key]);
        });
      }
    }
    this.schedLatency = histogram(
      registry,
      "fn_call_sched_latency",
      "Time in ms from a call's submit until a container took it",
      FINE_LATENCY_BUCKETS_MS,
      ["app_id", "fn_id"],
    );
    this.execLatency = histogram(
      registry,
      "fn_call_exec_latency",
      "Time in ms a call executed in its container",
      FINE_LATENCY_BUCKETS_MS,
      ["app_id", "fn_id"],
    );
  }

  /** The live counters of one function (created on first use). */
  forFn(appId: string, fnId: string): FnCallCounts {
    const key = appId + "/" + fnId;
    let counts = this.#byFn.get(key);
    if (counts === undefined) {
      counts = {
        appId,
        fnId,
        calls: 0,
        queued: 0,
        running: 0,
        completed: 0,
        canceled: 0,
        timeouts: 0,
        errors: 0,
        serverBusy: 0,
      };
      this.#byFn.set(key, counts);
    }
    return counts;
  }

  /** Counts a finished call by its status. */
  ended(counts: FnCallCounts, status: CallStatus): void {
    counts[STATUS_KEY[status]]++;
  }

  /** Records where a finished call's time went. */
  timed(counts: FnCallCounts, schedulerMs: number, executionMs: number): void {
    const labels = { "app_id": counts.appId, "fn_id": counts.fnId };
    this.schedLatency.observe(labels, schedulerMs);
    this.execLatency.observe(labels, executionMs);
  }
}

let shared: CallMetrics | undefined;

/** The process-wide {@linkcode CallMetrics} on the shared registry. */
export function callMetrics(): CallMetrics {
  shared ??= new CallMetrics();
  return shared;
}
