import assert from "node:assert/strict";
import { type DockerStatsSample, statsValues } from "./docker_stats.ts";

const sample = (
  total: number,
  user: number,
  kernel: number,
  system: number,
): DockerStatsSample => ({
  read: "2026-11-22T00:00:00Z",
  "cpu_stats": {
    "cpu_usage": { "total_usage": total, "usage_in_usermode": user, "usage_in_kernelmode": kernel },
    "system_cpu_usage": system,
    "online_cpus": 2,
  },
  "memory_stats": { usage: 1000, limit: 64 * 1024 * 1024 },
  networks: { eth0: { "rx_bytes": 10, "tx_bytes": 20 }, eth1: { "rx_bytes": 1, "tx_bytes": 2 } },
  "blkio_stats": {
    "io_service_bytes_recursive": [
      { op: "Read", value: 100 },
      { op: "write", value: 50 },
      { op: "Total", value: 150 },
    ],
  },
});

Deno.test("statsValues() computes CPU from the previous sample, with online_cpus", () => {
  const v = statsValues(sample(3e9, 2e9, 1e9, 20e9), sample(1e9, 1e9, 0, 10e9));
  // (2e9 / 10e9) * 2 CPUs * 100 = 40 %
  assert.deepEqual([v.cpu_total, v.cpu_user, v.cpu_kernel], [40, 20, 20]);
  assert.deepEqual([v.mem_usage, v.mem_limit], [1000, 64 * 1024 * 1024]);
  assert.deepEqual([v.net_rx, v.net_tx, v.disk_read, v.disk_write], [11, 22, 100, 50]);
});

Deno.test("statsValues() reports CPU 0 without a previous sample or system delta", () => {
  assert.equal(statsValues(sample(3e9, 2e9, 1e9, 20e9), undefined).cpu_total, 0);
  assert.equal(statsValues(sample(3e9, 2e9, 1e9, 20e9), sample(1e9, 0, 0, 20e9)).cpu_total, 0);
});
