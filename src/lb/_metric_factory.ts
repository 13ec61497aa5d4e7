/**
 * Get-or-create for prom-client metrics, so that building a second LB agent or pure
 * runner in one process (tests, library users) reuses the families already registered
 * instead of failing with "already registered".
 *
 * @module
 */

import client from "prom-client";

/** Fn's latency buckets in ms, refined around 1–2 s where placement waits matter. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
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

/** Returns the counter `name` on `registry`, creating it on first use. */
export function counter<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): client.Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof client.Counter) return existing as client.Counter<L>;
  return new client.Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** Returns the histogram `name` on `registry`, creating it on first use. */
export function histogram<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly L[] = [],
): client.Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof client.Histogram) return existing as client.Histogram<L>;
  return new client.Histogram<L>({
    name,
    help,
    labelNames,
    buckets: [...buckets],
    registers: [registry],
  });
}
