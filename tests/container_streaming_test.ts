/**
 * Bodies far larger than any buffer stream through an http-stream container in both
 * directions while the agent's peak memory stays bounded. Discarded chunks are freed by
 * the GC lazily (V8 lets some tens of MiB of garbage build up), so the transfers are
 * 100 MiB: a client that held a body would exceed the bound several times over.
 */

import assert from "node:assert/strict";
import { ensureTestImages } from "./_images.ts";
import { callRequest, specFor, withLauncher } from "./_container_helpers.ts";

const images = await ensureTestImages();
const MIB = 1024 * 1024;
const SIZE = 100 * MIB;
/** Peak RSS growth allowed during one transfer of SIZE. */
const BOUND = 48 * MIB;

/** A generated body of `size` bytes in 64 KiB chunks, produced only when pulled. */
function generated(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(64 * 1024, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(sent % 251));
    },
  }, { highWaterMark: 1 });
}

/** Counts the bytes of a stream without keeping them. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<number> {
  let total = 0;
  if (body === null) return 0;
  for await (const chunk of body) total += chunk.length;
  return total;
}

function statusKiB(key: string, status: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
}

/**
 * How far this process's RSS rose above its level before `run`: the peak (`VmHWM`, reset
 * through `/proc/self/clear_refs`) where the kernel allows the reset, else the RSS after.
 */
async function rssGrowth(run: () => Promise<void>): Promise<{ bytes: number; what: string }> {
  const before = Deno.memoryUsage().rss;
  const peak = await Deno.writeTextFile("/proc/self/clear_refs", "5").then(() => true, () => false);
  await run();
  if (!peak) return { bytes: Deno.memoryUsage().rss - before, what: "rss after" };
  const hwm = statusKiB("VmHWM", await Deno.readTextFile("/proc/self/status"));
  return { bytes: hwm - before, what: "peak rss" };
}

function describe(growth: { bytes: number; what: string }): string {
  return `${growth.what} grew by ${(growth.bytes / MIB).toFixed(1)} MiB`;
}

Deno.test("dispatch() streams 100 MiB up and 100 MiB down with bounded memory", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["raw-http"], { memoryMb: 256 }),
      AbortSignal.timeout(60_000),
    );
    const echo = async (size: number) => {
      const d = container.dispatch(
        callRequest({ headers: new Headers({ "x-mode": "echo" }), body: generated(size) }),
      );
      const total = await drain((await d.response).body);
      assert.equal((await d.finished).reusable, true);
      assert.equal(total, size);
    };
    await echo(SIZE / 4); // warm-up: JIT, buffers, the keep-alive connection
    const growth = await rssGrowth(() => echo(SIZE));
    assert.ok(growth.bytes < BOUND, `${describe(growth)} for a 100 MiB echo`);
  });
});

Deno.test("dispatch() streams a 100 MiB FDK response without holding it", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["big-output"]),
      AbortSignal.timeout(60_000),
    );
    const fetchBig = async (size: number) => {
      const d = container.dispatch(callRequest({ body: new Response(String(size)).body }));
      const total = await drain((await d.response).body);
      assert.equal((await d.finished).reusable, true);
      assert.equal(total, size);
    };
    await fetchBig(SIZE / 4); // warm-up
    const growth = await rssGrowth(() => fetchBig(SIZE));
    assert.ok(growth.bytes < BOUND, `${describe(growth)} for a 100 MiB response`);
  });
});
