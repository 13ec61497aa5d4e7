/**
 * Bodies stream through fnd: a 20 MiB request and a 20 MiB response pass through a real
 * fnd process; a 200 MiB request shows that fnd's resident memory (VmRSS) does not grow
 * with the body (holding it would need 200 MiB), and a client that stops reading a
 * 100 MiB answer shows that fnd does not pull the function's output in ahead of it.
 *
 * Why the 20 MiB bound is looser than the body size: the http-stream client talks to
 * the function through `node:http`, which allocates a fresh buffer per socket read and
 * write; V8 collects such external garbage lazily (only after tens of MiB), so a cold
 * process can show ~2x a 20 MiB body in RSS before its first collection (a fast 200 MiB
 * answer even showed +172 MiB once, all of it collectable). The 200 MiB request and
 * the stalled client are the discriminating measurements. (A relay built on `fetch`
 * over the unix socket instead of `node:http` measured +0 MiB for every size.)
 */

import assert from "node:assert/strict";
import { countBytes, residentBytes, startCallNode } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";

const MiB = 1024 * 1024;
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
      controller.enqueue(chunk.slice(0, n));
    },
  });
}

/** The largest VmRSS growth of `pid` (sampled every 10 ms) while `work` runs. */
async function peakGrowth(pid: number, work: () => Promise<void>): Promise<number> {
  const base = await residentBytes(pid);
  let peak = base;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await residentBytes(pid));
      await new Promise((r) => setTimeout(r, 10));
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

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

Deno.test("request bodies stream to the function without growing fnd's memory", async () => {
  await using node = await startCallNode();
  // raw-http's default mode reads the whole body and answers its length.
  // A long timeout: 200 MiB through a busy 2-core machine can take a while.
  const { fnId } = await node.deploy({ image: images["raw-http"], timeout: 120 });
  const send = async (size: number) => {
    const res = await fetch(`${node.url}/invoke/${fnId}`, {
      method: "POST",
      body: generated(size),
      headers: { "X-Mode": "headers" },
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).length, size);
  };
  await send(MiB); // warm up: container started, code paths compiled
  const twenty = await peakGrowth(node.fnd.pid, () => send(20 * MiB));
  assert.ok(twenty < 64 * MiB, `20 MiB request: fnd grew by ${mib(twenty)}`);
  const big = await peakGrowth(node.fnd.pid, () => send(200 * MiB));
  assert.ok(big < 128 * MiB, `200 MiB request: fnd grew by ${mib(big)}`);
});

Deno.test("response bodies stream to the client, held back when it reads slowly", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images["big-output"], memory: 128, timeout: 120 });
  const call = (size: number) =>
    fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: String(size) });
  const receive = async (size: number) => {
    const res = await call(size);
    assert.equal(res.status, 200);
    assert.equal(await countBytes(res.body), size);
  };
  await receive(MiB);

  // A client that stops reading: the function could produce 100 MiB in well under a
  // second, but fnd must not pull it in on the client's behalf. Proving that something
  // does not happen needs a time window.
  const base = await residentBytes(node.fnd.pid);
  const res = await call(100 * MiB);
  const reader = res.body!.getReader();
  const first = await reader.read();
  let peak = base;
  const windowEnd = Date.now() + 1500;
  while (Date.now() < windowEnd) {
    peak = Math.max(peak, await residentBytes(node.fnd.pid));
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(peak - base < 32 * MiB, `stalled 100 MiB response: fnd grew by ${mib(peak - base)}`);
  let rest = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += value.byteLength;
  }
  assert.equal(first.value!.byteLength + rest, 100 * MiB);

  const twenty = await peakGrowth(node.fnd.pid, () => receive(20 * MiB));
  assert.ok(twenty < 64 * MiB, `20 MiB response: fnd grew by ${mib(twenty)}`);
});
