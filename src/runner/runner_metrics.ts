/**
 * The pure runner's own metric: `fn_status_call{cached,network,success}`
 * (`lb-runner.md` §6.7), counted per status answer when a status image is set.
 *
 * @module
 */

import type client from "prom-client";
import { registry as sharedRegistry } from "../metrics/registry.ts";
import { counter } from "../lb/_metric_factory.ts";

/** `true`, `false`, or `error` when the status call failed outright. */
export type StatusTag = "true" | "false" | "error";

/** The runner's metric families. */
export class RunnerMetrics {
  readonly statusCalls: client.Counter<"cached" | "network" | "success">;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    this.statusCalls = counter(
      registry,
      "fn_status_call",
      "Status Call Results Reported By Runner",
      ["cached", "network", "success"] as const,
    );
  }
}
