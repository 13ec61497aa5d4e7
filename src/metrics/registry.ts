/**
 * The process-wide Prometheus registry. Every metric family registers here, with Fn's
 * names where Fn has them (prefix `fn_`), and `GET /metrics` renders it.
 *
 * @module
 */

import client from "prom-client";

/** The registry `/metrics` serves. */
export const registry: client.Registry = new client.Registry();

let defaultsCollected = false;

/**
 * Starts collecting process metrics (`fn_process_cpu_seconds_total`, resident memory,
 * open fds, start time, ...) into {@linkcode registry}. Idempotent.
 */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  client.collectDefaultMetrics({ register: registry, prefix: "fn_" });
}

/** Renders the registry in the Prometheus text format. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}
