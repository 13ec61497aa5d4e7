import assert from "node:assert/strict";
import { type CapacitySources, memAvailableBytes, readCapacity } from "./capacity.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function sources(files: Record<string, string>, cpuCount = 2): CapacitySources {
  return { readText: (path) => files[path], cpuCount };
}

const meminfo = (kb: number) => `MemTotal: 99999999 kB\nMemAvailable:   ${kb} kB\n`;
const none = { maxTotalMemoryBytes: 0, maxTotalCpuMillis: 0 };

Deno.test("memAvailableBytes() reads kB and MB units", () => {
  assert.equal(memAvailableBytes("MemAvailable: 1024 kB\n"), MiB);
  assert.equal(memAvailableBytes("MemAvailable: 3 MB\n"), 3 * MiB);
  assert.equal(memAvailableBytes("MemFree: 3 kB\n"), undefined);
});

Deno.test("readCapacity() keeps 10% head room clamped to [256 MB, 5 GB]", async (t) => {
  await t.step("small machine keeps 256 MB", () => {
    const c = readCapacity(none, sources({ "/proc/meminfo": meminfo(1024 * 1024) }));
    assert.equal(c.memoryBytes, GiB - 256 * MiB);
  });
  await t.step("10 GB keeps 1 GB", () => {
    const c = readCapacity(none, sources({ "/proc/meminfo": meminfo(10 * 1024 * 1024) }));
    assert.equal(c.memoryBytes, 9 * GiB);
  });
  await t.step("100 GB keeps 5 GB", () => {
    const c = readCapacity(none, sources({ "/proc/meminfo": meminfo(100 * 1024 * 1024) }));
    assert.equal(c.memoryBytes, 95 * GiB);
  });
  await t.step("a cgroup limit lowers the base", () => {
    const c = readCapacity(
      none,
      sources({
        "/proc/meminfo": meminfo(100 * 1024 * 1024),
        "/sys/fs/cgroup/memory/memory.limit_in_bytes": String(10 * GiB),
      }),
    );
    assert.equal(c.memoryBytes, 9 * GiB);
  });
});

Deno.test("readCapacity() lets FN_MAX_TOTAL_MEMORY_BYTES only lower the total", () => {
  const files = { "/proc/meminfo": meminfo(10 * 1024 * 1024) };
  assert.equal(
    readCapacity({ ...none, maxTotalMemoryBytes: 100 * MiB }, sources(files)).memoryBytes,
    100 * MiB,
  );
  assert.equal(
    readCapacity({ ...none, maxTotalMemoryBytes: 50 * GiB }, sources(files)).memoryBytes,
    9 * GiB,
  );
});

Deno.test("readCapacity() fails with advice when memory is too small", () => {
  assert.throws(
    () => readCapacity(none, sources({ "/proc/meminfo": meminfo(200 * 1024) })),
    /Not enough memory.*FN_MAX_TOTAL_MEMORY_BYTES/,
  );
});

Deno.test("readCapacity() counts processors, clamped by the cgroup quota and the variable", async (t) => {
  const cpuinfo =
    "processor\t: 0\nmodel\t: x\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\n";
  const base = { "/proc/meminfo": meminfo(4 * 1024 * 1024), "/proc/cpuinfo": cpuinfo };
  await t.step("cores x 1000", () => {
    assert.equal(readCapacity(none, sources(base)).cpuMillis, 4000);
  });
  await t.step("cgroup v1 quota", () => {
    const files = {
      ...base,
      "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "150000",
      "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000",
    };
    assert.equal(readCapacity(none, sources(files)).cpuMillis, 1500);
  });
  await t.step("FN_MAX_TOTAL_CPU_MCPUS", () => {
    assert.equal(readCapacity({ ...none, maxTotalCpuMillis: 700 }, sources(base)).cpuMillis, 700);
  });
  await t.step("no cpuinfo falls back to the runtime's count", () => {
    const c = readCapacity(none, sources({ "/proc/meminfo": meminfo(4 * 1024 * 1024) }, 3));
    assert.equal(c.cpuMillis, 3000);
  });
});
