/**
 * Bodies stream through fnd: a 20 MiB request and a 20 MiB response pass through a real
 * fnd process without its resident memory growing by their size.
 */

import assert from "node:assert/strict";
import { countBytes, residentBytes, startCallNode } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";

const MiB = 1024 * 1024;
const SIZE = 20 * MiB;
const images = await ensureTestImages();

/** A body of `size` bytes made on the fly, 64 KiB at a time. */
function generated(size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let left = size;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(left, chunk.byteLength);
      left -= n;
      controller.enqueue(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
    },
  });
}

/** Samples a process's RSS every 20 ms while `work` runs; returns the largest growth. */
async function peakGrowth(pid: number, work: () => Promise<void>): Promise<number> {
  const base = await residentBytes(pid);
  let peak = base;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await residentBytes(pid));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await sampler;
  }
  return Math.max(peak, await residentBytes(pid)) - base;
}

Deno.test("a 20 MiB request and its 20 MiB echo stream through fnd", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images["raw-http"] });
  const call = async (size: number) => {
    const res = await fetch(`${node.url}/invoke/${fnId}`, {
      method: "POST",
      body: generated(size),
      headers: { "X-Mode": "echo" },
    });
    assert.equal(res.status, 200);
    assert.equal(await countBytes(res.body), size);
  };
  await call(MiB); // warm up: container started, code paths compiled
  const growth = await peakGrowth(node.fnd.pid, () => call(SIZE));
  assert.ok(growth < 16 * MiB, `fnd grew by ${(growth / MiB).toFixed(1)} MiB`);
});

Deno.test("a 20 MiB response from an FDK function streams through fnd", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images["big-output"], memory: 128 });
  const call = async (size: number) => {
    const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: String(size) });
    assert.equal(res.status, 200);
    assert.equal(await countBytes(res.body), size);
  };
  await call(MiB);
  const growth = await peakGrowth(node.fnd.pid, () => call(SIZE));
  assert.ok(growth < 16 * MiB, `fnd grew by ${(growth / MiB).toFixed(1)} MiB`);
});
