/**
 * The pure runner's own metrics: `fn_status_call{cached,network,success}`
 * (`lb-runner.md` §6.7), counted per status answer when a status image is set, and
 * fnd's `fn_runner_engage_count{outcome}` (`completed`, `failed`, `nack`,
 * `cancelled`, `protocol_error`).
 *
 * @module
 */

import type client from "prom-client";
import { registry as sharedRegistry } from "../metrics/registry.ts";
import { counter } from "../metrics/families.ts";

/** `true`, `false`, or `error` when the status call failed outright. */
export type StatusTag = "true" | "false" | "error";

/** The runner's metric families. */
export class RunnerMetrics {
  readonly statusCalls: client.Counter<"cached" | "network" | "success">;
  /** fnd: Engage streams by how they ended (`completed`, `failed`, `nack`, ...). */
  readonly engages: client.Counter<"outcome">;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    this.statusCalls = counter(
      registry,
      "fn_status_call",
      "Status Call Results Reported By Runner",
      ["cached", "network", "success"] as const,
    );
    this.engages = counter(
      registry,
      "fn_runner_engage_count",
      "Engage streams served by this runner, by outcome",
      ["outcome"] as const,
    );
  }
}
