/**
 * Get-or-create for metric families on a registry, so that a second agent, handler or
 * node in one process (tests, library users) reuses what is registered instead of
 * failing with "already registered", plus the bucket sets fnd's families share.
 *
 * Histograms of Fn's families (`fnHistogram`) bucket like Fn's exporter (`v < bound`);
 * fnd's own histograms (`histogram`) keep Prometheus's `v <= le`.
 *
 * @module
 */

import client from "prom-client";
import { StrictHistogram } from "./strict_histogram.ts";

/** Fn's latency buckets in ms (`lb-runner.md` §6.2). */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1,
  10,
  50,
  100,
  250,
  500,
  1000,
  10000,
  60000,
  120000,
];

/** Finer buckets in ms for fnd's own scheduling and start latencies. */
export const FINE_LATENCY_BUCKETS_MS: readonly number[] = [
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  60000,
];

function existing<T>(
  registry: client.Registry,
  name: string,
  type: abstract new (
    // deno-lint-ignore no-explicit-any
    ...args: any[]
  ) => T,
): T | undefined {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (found instanceof type) return found;
  throw new TypeError(
    `Cannot register metric "${name}" as another kind of metric already has that name`,
  );
}

/**
 * The counter `name` on `registry`, created on first use. `collect`, when given, runs
 * at every scrape to set the values (it is ignored when the counter already exists).
 */
export function counter<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  collect?: (metric: client.Counter<L>) => void,
): client.Counter<L> {
  const found = existing(registry, name, client.Counter);
  if (found !== undefined) return found as client.Counter<L>;
  return new client.Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    ...(collect
      ? {
        collect(this: client.Counter<L>) {
          collect(this);
        },
      }
      : {}),
  });
}

/**
 * The gauge `name` on `registry`, created on first use. `collect`, when given, runs at
 * every scrape to set the values (it is ignored when the gauge already exists).
 */
export function gauge<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  collect?: (metric: client.Gauge<L>) => void,
): client.Gauge<L> {
  const found = existing(registry, name, client.Gauge);
  if (found !== undefined) return found as client.Gauge<L>;
  return new client.Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    ...(collect
      ? {
        collect(this: client.Gauge<L>) {
          collect(this);
        },
      }
      : {}),
  });
}

/** The histogram `name` on `registry`, created on first use. */
export function histogram<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly L[] = [],
): client.Histogram<L> {
  const found = existing(registry, name, client.Histogram);
  if (found !== undefined) return found as client.Histogram<L>;
  return new client.Histogram<L>({
    name,
    help,
    labelNames,
    buckets: [...buckets],
    registers: [registry],
  });
}

/**
 * The histogram `name` of one of Fn's families on `registry`, created on first use,
 * with Fn's strict bucketing (see `strict_histogram.ts`).
 *
 * @throws {TypeError} when another kind of metric already has that name
 */
export function fnHistogram<L extends string = string>(
  registry: client.Registry,
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly L[] = [],
): StrictHistogram<L> {
  const found = existing(registry, name, StrictHistogram);
  if (found !== undefined) return found as StrictHistogram<L>;
  return new StrictHistogram<L>({ name, help, labelNames, buckets, registers: [registry] });
}
