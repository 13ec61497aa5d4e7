/**
 * The LB's metric families (Fn's `lb-runner.md` §6.3 placer views and §6.5 LB-agent
 * views, same names and HELP texts), plus fnd's `fn_lb_placer_placed_call_count` /
 * `fn_lb_placer_not_placed_call_count` summaries.
 *
 * Latencies are whole milliseconds, as Fn records them. Histograms bucket like Fn's
 * exporter (a sample on a bound counts under the next `le`).
 *
 * @module
 */

import type client from "prom-client";
import { registry as sharedRegistry } from "../metrics/registry.ts";
import { counter, fnHistogram } from "../metrics/families.ts";
import type { StrictHistogram } from "../metrics/strict_histogram.ts";

/** Fn's latency buckets in ms (`lb-runner.md` §6.2), refined around 1–2 s where placement waits matter. */
export const LB_LATENCY_BUCKETS_MS: readonly number[] = [
  1,
  10,
  50,
  100,
  250,
  500,
  750,
  1000,
  1250,
  1500,
  1750,
  2000,
  2500,
  5000,
  10000,
  60000,
  120000,
];

/** Buckets of `fn_lb_placer_attempt_count` (Fn's, `0` kept). */
export const ATTEMPT_BUCKETS: readonly number[] = [0, 2, 3, 4, 8, 16, 32, 64, 128, 256];

/** `call_status` values of `fn_lb_call_latency`. */
export type LbCallStatus = "completed" | "canceled" | "timeouts" | "errors" | "server_busy";

/** Every LB metric, registered on one registry. */
export class LbMetrics {
  readonly placedCalls: client.Counter;
  readonly notPlacedCalls: client.Counter;
  readonly attempts: StrictHistogram;
  readonly placerLatency: StrictHistogram;
  readonly placedOk: client.Counter;
  readonly placedError: client.Counter;
  readonly placedAbort: client.Counter;
  readonly retryBusy: client.Counter;
  readonly retryError: client.Counter;
  readonly poolError: client.Counter;
  readonly poolEmpty: client.Counter;
  readonly clientCancelled: client.Counter;
  readonly clientTimeout: client.Counter;
  readonly placerTimeout: client.Counter;
  readonly runnerSchedLatency: StrictHistogram;
  readonly runnerExecLatency: StrictHistogram;
  readonly callLatency: StrictHistogram<"call_status">;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    const c = (name: string, help: string) => counter(registry, name, help);
    this.placedCalls = c(
      "fn_lb_placer_placed_call_count",
      "LB Placer Calls Committed To A Runner",
    );
    this.notPlacedCalls = c(
      "fn_lb_placer_not_placed_call_count",
      "LB Placer Calls That Found No Runner",
    );
    this.attempts = fnHistogram(
      registry,
      "fn_lb_placer_attempt_count",
      "LB Placer Number of Runners Attempted Count",
      ATTEMPT_BUCKETS,
    );
    this.placerLatency = fnHistogram(
      registry,
      "fn_lb_placer_latency",
      "LB Placer Latency",
      LB_LATENCY_BUCKETS_MS,
    );
    this.placedOk = c("fn_lb_placer_placed_ok_count", "LB Placer Placed Call Count Without Errors");
    this.placedError = c(
      "fn_lb_placer_placed_error_count",
      "LB Placer Placed Call Count With Errors",
    );
    this.placedAbort = c(
      "fn_lb_placer_placed_abort_count",
      "LB Placer Placed Call Count With Client Timeout/Cancel",
    );
    this.retryBusy = c("fn_lb_placer_retry_busy_count", "LB Placer Retry Count - Too Busy");
    this.retryError = c("fn_lb_placer_retry_error_count", "LB Placer Retry Count - Errors");
    this.poolError = c(
      "fn_lb_placer_rp_error_count",
      "LB Placer RunnerPool RunnerList Error Count",
    );
    this.poolEmpty = c(
      "fn_lb_placer_rp_empty_count",
      "LB Placer RunnerPool RunnerList Empty Count",
    );
    this.clientCancelled = c(
      "fn_lb_placer_client_cancelled_count",
      "LB Placer Client Cancel Count",
    );
    this.clientTimeout = c("fn_lb_placer_client_timeout_count", "LB Placer Client Timeout Count");
    this.placerTimeout = c("fn_lb_placer_timeout_count", "LB Placer Timeout Count");
    this.runnerSchedLatency = fnHistogram(
      registry,
      "fn_lb_runner_sched_latency",
      "Runner Scheduler Latency Reported By LBAgent",
      LB_LATENCY_BUCKETS_MS,
    );
    this.runnerExecLatency = fnHistogram(
      registry,
      "fn_lb_runner_exec_latency",
      "Runner Container Execution Latency Reported By LBAgent",
      LB_LATENCY_BUCKETS_MS,
    );
    this.callLatency = fnHistogram(
      registry,
      "fn_lb_call_latency",
      "LB Call Latency Reported By LBAgent",
      LB_LATENCY_BUCKETS_MS,
      ["call_status"],
    );
  }
}
