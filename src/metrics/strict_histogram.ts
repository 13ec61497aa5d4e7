/**
 * A Prometheus histogram with the bucketing of Fn's exporter (`lb-runner.md` §6.1,
 * §8.10). OpenCensus puts a value `v` into the first bucket whose bound satisfies
 * `v < bound` (strict); the exporter then writes cumulative counts under `le="bound"`.
 * prom-client counts `v <= le`, so a sample exactly on a bound (latency 10 ms, attempt
 * count 2) would show one bucket early compared with Fn: here it first appears under the
 * next `le` (`le="50"`, `le="3"`). A bound of `0` is kept. `_sum` and `_count` are exact.
 *
 * It registers on a prom-client `Registry` like prom-client's own metrics (the registry
 * only calls `get()` and `reset()`). Label names are written in the order given, then
 * `le` (as Go's exporter writes them); a label left out of an observation is `""`.
 * `le` values are Go's shortest float text (`1e+06`, `1.048576e+06`, `0.5`).
 *
 * @module
 */

import type client from "prom-client";

/** How a {@linkcode StrictHistogram} is built. */
export interface StrictHistogramConfiguration<L extends string> {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, ascending; `+Inf` is added. */
  readonly buckets: readonly number[];
  readonly labelNames?: readonly L[];
  /** Registries to register on. @default {[]} */
  readonly registers?: readonly client.Registry[];
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Non-cumulative count per bound; values at or above the last bound are only in `count`. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One exported sample, as prom-client's registry formats them. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A histogram counting `v < bound` (see the module doc). */
export class StrictHistogram<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;
  readonly labelNames: readonly L[];
  readonly #bounds: readonly number[];
  /** `le` of each bound, as Go writes it. */
  readonly #le: readonly string[];
  readonly #names: ReadonlySet<string>;
  #series = new Map<string, Series>();

  /**
   * @throws {RangeError} when the buckets are not strictly ascending or a label is `le`
   */
  constructor(config: StrictHistogramConfiguration<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...(config.labelNames ?? [])];
    this.#names = new Set(this.labelNames);
    const bounds = [...config.buckets];
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) {
        throw new RangeError(
          `Cannot create histogram "${config.name}" as its buckets must ascend strictly: current value is ${bounds}`,
        );
      }
    }
    if (this.#names.has("le")) {
      throw new RangeError(`Cannot create histogram "${config.name}": "le" is a reserved label`);
    }
    this.#bounds = bounds;
    this.#le = bounds.map(goFloat);
    if (this.labelNames.length === 0) this.#seriesFor({});
    for (const registry of config.registers ?? []) {
      registry.registerMetric(this as unknown as client.Metric);
    }
  }

  /**
   * Records `value` (a finite number), in the series of `labels` when given.
   *
   * @throws {TypeError} when the value is not finite
   * @throws {Error} when a label is not one of the histogram's label names
   */
  observe(value: number): void;
  observe(labels: Partial<Record<L, string | number>>, value: number): void;
  observe(labelsOrValue: Partial<Record<L, string | number>> | number, maybeValue?: number): void {
    const labels = typeof labelsOrValue === "number" ? {} : labelsOrValue;
    const value = typeof labelsOrValue === "number" ? labelsOrValue : maybeValue!;
    if (!Number.isFinite(value)) {
      throw new TypeError(`Value is not a valid number: ${value}`);
    }
    const series = this.#seriesFor(labels);
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value < bounds[i]!) {
        series.counts[i]!++;
        break;
      }
    }
    series.sum += value;
    series.count++;
  }

  /** Forgets every observation (label-less histograms keep their zero series). */
  reset(): void {
    this.#series = new Map();
    if (this.labelNames.length === 0) this.#seriesFor({});
  }

  /** The samples, as prom-client's `Registry` renders them. */
  get(): Promise<
    {
      name: string;
      help: string;
      type: "histogram";
      aggregator: "sum";
      values: Sample[];
    }
  > {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({
          metricName: bucket,
          labels: { ...series.labels, le: this.#le[i]! },
          value: cumulative,
        });
      }
      values.push({
        metricName: bucket,
        labels: { ...series.labels, le: "+Inf" },
        value: series.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  #seriesFor(labels: Partial<Record<L, string | number>>): Series {
    const names = this.labelNames;
    for (const key in labels) {
      if (!this.#names.has(key)) {
        throw new Error(`Added label "${key}" is not included in initial labelset: ${names}`);
      }
    }
    let key = "";
    for (let i = 0; i < names.length; i++) {
      if (i > 0) key += "\u0000";
      key += String(labels[names[i]!] ?? "");
    }
    let series = this.#series.get(key);
    if (series === undefined) {
      const values: Record<string, string> = {};
      for (const name of names) values[name] = String(labels[name] ?? "");
      series = { labels: values, counts: new Array(this.#bounds.length).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }
}

/**
 * `n` as Go's `strconv.FormatFloat(n, 'g', -1, 64)`: the shortest decimal, with an
 * exponent of at least two digits when it is below -4 or at least 6 (`1e+06`).
 */
export function goFloat(n: number): string {
  if (n === 0) return "0";
  const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}
