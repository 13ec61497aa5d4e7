/**
 * Per-container CPU, memory, network and disk use from Docker stats, recorded as Fn's
 * `fn_docker_stats_<key>` histograms (`agent.md` §5.2) labelled by `app_id` and
 * `fn_id`.
 *
 * Instead of one streaming `docker stats` per container (Fn's way, about one sample
 * per second each, which costs the engine real CPU), a single bounded poller asks for a
 * one-shot sample of at most `maxPerTick` running containers every `intervalMs`, taking
 * turns when there are more. CPU percentages come from the difference to the previous
 * sample of the same container (`online_cpus` when `percpu_usage` is missing).
 *
 * @module
 */

import type Docker from "dockerode";
import type client from "prom-client";
import type { Logger } from "../log.ts";
import { registry as sharedRegistry } from "./registry.ts";
import { fnHistogram } from "./families.ts";
import type { StrictHistogram } from "./strict_histogram.ts";

/** The sample keys, as in Fn. */
export const STATS_KEYS = [
  "cpu_user",
  "cpu_kernel",
  "cpu_total",
  "mem_usage",
  "mem_limit",
  "net_rx",
  "net_tx",
  "disk_read",
  "disk_write",
] as const;

/** One of {@linkcode STATS_KEYS}. */
export type StatsKey = typeof STATS_KEYS[number];

const MiB = 1024 * 1024;
const PERCENT_BUCKETS = [1, 5, 10, 25, 50, 75, 100, 150, 200, 400];
const MEMORY_BUCKETS = [1, 4, 16, 32, 64, 128, 256, 512, 1024, 4096].map((n) => n * MiB);
const IO_BUCKETS = [1024, 16 * 1024, 256 * 1024, MiB, 16 * MiB, 256 * MiB, 1024 * MiB];

/** The parts of Docker's stats JSON that are used. */
export interface DockerStatsSample {
  readonly read?: string;
  readonly "cpu_stats"?: {
    readonly "cpu_usage"?: {
      readonly "total_usage"?: number;
      readonly "usage_in_usermode"?: number;
      readonly "usage_in_kernelmode"?: number;
      readonly "percpu_usage"?: readonly number[];
    };
    readonly "system_cpu_usage"?: number;
    readonly "online_cpus"?: number;
  };
  readonly "memory_stats"?: { readonly usage?: number; readonly limit?: number };
  readonly networks?: Readonly<Record<string, { "rx_bytes"?: number; "tx_bytes"?: number }>>;
  readonly "blkio_stats"?: {
    readonly "io_service_bytes_recursive"?: readonly { op?: string; value?: number }[] | null;
  };
}

/**
 * Turns a sample (and the container's previous one, for CPU) into Fn's keys. CPU is
 * (Δusage / Δsystem) × CPUs × 100, as an integer; 0 without a usable previous sample.
 */
export function statsValues(
  sample: DockerStatsSample,
  previous: DockerStatsSample | undefined,
): Record<StatsKey, number> {
  const cpu = sample.cpu_stats;
  const prev = previous?.cpu_stats;
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (prev?.system_cpu_usage ?? 0);
  const cpus = cpu?.cpu_usage?.percpu_usage?.length || cpu?.online_cpus || 1;
  const percent = (now: number | undefined, before: number | undefined) =>
    prev === undefined || systemDelta <= 0
      ? 0
      : Math.max(0, Math.trunc(((now ?? 0) - (before ?? 0)) / systemDelta * cpus * 100));
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(sample.networks ?? {})) {
    rx += net.rx_bytes ?? 0;
    tx += net.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op?.toLowerCase();
    if (op === "read") read += entry.value ?? 0;
    else if (op === "write") write += entry.value ?? 0;
  }
  return {
    "cpu_user": percent(cpu?.cpu_usage?.usage_in_usermode, prev?.cpu_usage?.usage_in_usermode),
    "cpu_kernel": percent(
      cpu?.cpu_usage?.usage_in_kernelmode,
      prev?.cpu_usage?.usage_in_kernelmode,
    ),
    "cpu_total": percent(cpu?.cpu_usage?.total_usage, prev?.cpu_usage?.total_usage),
    "mem_usage": sample.memory_stats?.usage ?? 0,
    "mem_limit": sample.memory_stats?.limit ?? 0,
    "net_rx": rx,
    "net_tx": tx,
    "disk_read": read,
    "disk_write": write,
  };
}

/** The `fn_docker_stats_*` histograms on one registry. */
export class DockerStatsMetrics {
  /** Fn's `docker_stats_*` views: strict bucketing, as Fn's exporter. */
  readonly #families: Record<StatsKey, StrictHistogram<"app_id" | "fn_id">>;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    const make = (key: StatsKey, help: string, buckets: number[]) =>
      fnHistogram(registry, `fn_docker_stats_${key}`, help, buckets, ["app_id", "fn_id"]);
    this.#families = {
      "cpu_user": make("cpu_user", "docker container cpu user usage, percent", PERCENT_BUCKETS),
      "cpu_kernel": make(
        "cpu_kernel",
        "docker container cpu kernel usage, percent",
        PERCENT_BUCKETS,
      ),
      "cpu_total": make("cpu_total", "docker container cpu total usage, percent", PERCENT_BUCKETS),
      "mem_usage": make("mem_usage", "docker container memory usage, bytes", MEMORY_BUCKETS),
      "mem_limit": make("mem_limit", "docker container memory limit, bytes", MEMORY_BUCKETS),
      "net_rx": make("net_rx", "docker container network bytes received", IO_BUCKETS),
      "net_tx": make("net_tx", "docker container network bytes sent", IO_BUCKETS),
      "disk_read": make("disk_read", "docker container disk bytes read", IO_BUCKETS),
      "disk_write": make("disk_write", "docker container disk bytes written", IO_BUCKETS),
    };
  }

  /** Records one sample's values for a container of `appId`/`fnId`. */
  record(appId: string, fnId: string, values: Record<StatsKey, number>): void {
    const labels = { "app_id": appId, "fn_id": fnId };
    for (const key of STATS_KEYS) this.#families[key].observe(labels, values[key]);
  }
}

/** Options for {@linkcode DockerStatsPoller}. */
export interface DockerStatsPollerOptions {
  /** Only containers with this label (`key=value`), e.g. this process's instance label. */
  readonly label: string;
  /** Label keys holding the app and fn ids. */
  readonly appIdLabel: string;
  readonly fnIdLabel: string;
  /** 0 = never sample. @default {5000} */
  readonly intervalMs?: number;
  /** @default {16} */
  readonly maxPerTick?: number;
  readonly log: Logger;
  /** @default {the shared registry's families} */
  readonly metrics?: DockerStatsMetrics;
}

let sharedMetrics: DockerStatsMetrics | undefined;

/** Samples the containers of one process; started lazily, stopped by `stop()`. */
export class DockerStatsPoller {
  readonly #docker: Docker;
  readonly #o: DockerStatsPollerOptions;
  readonly #metrics: DockerStatsMetrics;
  readonly #previous = new Map<string, DockerStatsSample>();
  #cursor = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tick: Promise<void> | undefined;
  #started = false;
  #stopped = false;

  constructor(docker: Docker, options: DockerStatsPollerOptions) {
    this.#docker = docker;
    this.#o = options;
    this.#metrics = options.metrics ?? (sharedMetrics ??= new DockerStatsMetrics());
  }

  /** Starts polling (idempotent); call once there is a container to watch. */
  start(): void {
    if (this.#started || this.#stopped || this.#o.intervalMs === 0) return;
    this.#started = true;
    this.#schedule();
  }

  /** Stops polling and waits for a sample in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
  }

  /** Takes one round of samples now (also used by tests). */
  async sampleOnce(): Promise<number> {
    const list: Docker.ContainerInfo[] = await this.#docker.listContainers({
      filters: JSON.stringify({ label: [this.#o.label], status: ["running"] }),
    });
    const alive = new Set(list.map((c) => c.Id));
    for (const id of this.#previous.keys()) if (!alive.has(id)) this.#previous.delete(id);
    const max = Math.min(list.length, this.#o.maxPerTick ?? 16);
    let sampled = 0;
    for (let i = 0; i < max && !this.#stopped; i++) {
      const info = list[(this.#cursor + i) % list.length]!;
      if (await this.#sample(info)) sampled++;
    }
    this.#cursor = list.length === 0 ? 0 : (this.#cursor + max) % list.length;
    return sampled;
  }

  async #sample(info: Docker.ContainerInfo): Promise<boolean> {
    const appId = info.Labels?.[this.#o.appIdLabel] ?? "";
    const fnId = info.Labels?.[this.#o.fnIdLabel] ?? "";
    try {
      const sample = await this.#docker.getContainer(info.Id).stats(
        { stream: false, "one-shot": true } as Docker.ContainerStatsOptions,
      ) as unknown as DockerStatsSample;
      if (!sample.read || sample.read.startsWith("0001-")) return false;
      this.#metrics.record(appId, fnId, statsValues(sample, this.#previous.get(info.Id)));
      this.#previous.set(info.Id, sample);
      return true;
    } catch {
      return false; // the container went away between the list and the sample
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#tick = this.sampleOnce().then(() => {}, (err) => {
        this.#o.log.debug("docker stats sample failed", { error: String(err) });
      }).finally(() => this.#schedule());
    }, this.#o.intervalMs ?? 5000);
    // Never the reason the process stays alive.
    Deno.unrefTimer(this.#timer as unknown as number);
  }
}
