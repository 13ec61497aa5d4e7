/**
 * How much memory and CPU the agent may hand to containers (agent.md §3.7): the
 * machine's available memory less head room, its cores, each clamped by cgroup limits
 * and by `FN_MAX_TOTAL_MEMORY_BYTES` / `FN_MAX_TOTAL_CPU_MCPUS`.
 *
 * @module
 */

import type { AgentConfig } from "./agent_config.ts";

/** Schedulable totals. */
export interface Capacity {
  readonly memoryBytes: number;
  readonly cpuMillis: number;
}

const MiB = 1024 * 1024;
const MIN_HEAD_ROOM_BYTES = 256 * MiB;
const MAX_HEAD_ROOM_BYTES = 5 * 1024 * MiB;

/** Files the capacity is read from; injectable so tests need no real /proc. */
export interface CapacitySources {
  /** Returns the file's text, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Cores the runtime sees (fallback when /proc/cpuinfo is unreadable). */
  readonly cpuCount: number;
}

/** Reads real files under /proc and /sys. */
export const systemSources: CapacitySources = {
  readText(path: string): string | undefined {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
  cpuCount: navigator.hardwareConcurrency,
};

/**
 * The schedulable capacity of this machine under `config`.
 *
 * @throws {Error} when /proc/meminfo has no MemAvailable, or there is too little memory
 *   to run anything and `FN_MAX_TOTAL_MEMORY_BYTES` does not say otherwise
 */
export function readCapacity(
  config: Pick<AgentConfig, "maxTotalMemoryBytes" | "maxTotalCpuMillis">,
  sources: CapacitySources = systemSources,
): Capacity {
  return {
    memoryBytes: totalMemoryBytes(config.maxTotalMemoryBytes, sources),
    cpuMillis: totalCpuMillis(config.maxTotalCpuMillis, sources),
  };
}

function totalMemoryBytes(maxBytes: number, sources: CapacitySources): number {
  const meminfo = sources.readText("/proc/meminfo");
  const available = meminfo === undefined ? undefined : memAvailableBytes(meminfo);
  if (available === undefined) {
    if (maxBytes > 0) return maxBytes;
    throw new Error(
      "Cannot size the agent's memory: /proc/meminfo has no MemAvailable line; " +
        "set FN_MAX_TOTAL_MEMORY_BYTES",
    );
  }
  const limited = Math.min(available, cgroupMemoryLimit(sources) ?? Infinity);
  const headRoom = Math.min(Math.max(limited * 0.1, MIN_HEAD_ROOM_BYTES), MAX_HEAD_ROOM_BYTES);
  const usable = Math.floor(limited - headRoom);
  // The override can only lower the total, except on a machine too small to size.
  if (maxBytes > 0) return usable > 0 ? Math.min(maxBytes, usable) : maxBytes;
  if (usable <= 0) {
    throw new Error(
      `Not enough memory: ${Math.round(limited / MiB)} MB available, and fnd keeps at least ` +
        "256 MB for itself; free memory or set FN_MAX_TOTAL_MEMORY_BYTES",
    );
  }
  return usable;
}

/** MemAvailable from /proc/meminfo in bytes (kB or MB units), or undefined. */
export function memAvailableBytes(meminfo: string): number | undefined {
  const match = /^MemAvailable:\s+(\d+)\s*(kB|MB)?\s*$/m.exec(meminfo);
  if (match === null) return undefined;
  const n = Number(match[1]);
  return match[2] === "MB" ? n * MiB : n * 1024;
}

function cgroupMemoryLimit(sources: CapacitySources): number | undefined {
  const v1 = sources.readText("/sys/fs/cgroup/memory/memory.limit_in_bytes")?.trim();
  const v2 = sources.readText("/sys/fs/cgroup/memory.max")?.trim();
  for (const text of [v1, v2]) {
    if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  }
  return undefined;
}

function totalCpuMillis(maxMillis: number, sources: CapacitySources): number {
  const cpuinfo = sources.readText("/proc/cpuinfo");
  const processors = cpuinfo?.match(/^processor\s*:/gm)?.length ?? 0;
  let millis = (processors > 0 ? processors : sources.cpuCount) * 1000;
  const quota = cgroupCpuQuotaMillis(sources);
  if (quota !== undefined) millis = Math.min(millis, quota);
  if (maxMillis > 0) millis = Math.min(millis, maxMillis);
  return millis;
}

function cgroupCpuQuotaMillis(sources: CapacitySources): number | undefined {
  const quota = Number(sources.readText("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.trim());
  const period = Number(sources.readText("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.trim());
  if (quota > 0 && period > 0) return Math.floor((quota * 1000) / period);
  const [max, p2] = (sources.readText("/sys/fs/cgroup/cpu.max") ?? "").trim().split(/\s+/);
  const q2 = Number(max);
  const period2 = Number(p2);
  if (q2 > 0 && period2 > 0) return Math.floor((q2 * 1000) / period2);
  return undefined;
}
