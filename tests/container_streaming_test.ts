/**
 * 20 MiB bodies stream through an http-stream container in both directions without
 * the agent's memory growing by their size.
 */

import assert from "node:assert/strict";
import { ensureTestImages } from "./_images.ts";
import { callRequest, specFor, withLauncher } from "./_container_helpers.ts";

const images = await ensureTestImages();
const MIB = 1024 * 1024;
const SIZE = 20 * MIB;

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

Deno.test("dispatch() streams 20 MiB up and 20 MiB down with bounded memory", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["raw-http"], { memoryMb: 256 }),
      AbortSignal.timeout(60_000),
    );
    const echo = async () => {
      const d = container.dispatch(
        callRequest({ headers: new Headers({ "x-mode": "echo" }), body: generated(SIZE) }),
      );
      const res = await d.response;
      const total = await drain(res.body);
      assert.equal((await d.finished).reusable, true);
      return total;
    };
    assert.equal(await echo(), SIZE); // warm-up: JIT, buffers, the keep-alive connection
    const before = Deno.memoryUsage().rss;
    assert.equal(await echo(), SIZE);
    const growth = Deno.memoryUsage().rss - before;
    assert.ok(growth < SIZE, `rss grew by ${(growth / MIB).toFixed(1)} MiB for a 20 MiB echo`);
  });
});

Deno.test("dispatch() streams a 20 MiB FDK response without holding it", async () => {
  // Discarded chunks are freed by the GC lazily (external memory), so RSS after a fast
  // transfer overstates what was held; the margin is generous, and the echo test above
  // (paced by the upload) is the tighter check.
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["big-output"]),
      AbortSignal.timeout(60_000),
    );
    const fetchBig = async () => {
      const d = container.dispatch(callRequest({ body: new Response(String(SIZE)).body }));
      const total = await drain((await d.response).body);
      assert.equal((await d.finished).reusable, true);
      return total;
    };
    assert.equal(await fetchBig(), SIZE); // warm-up
    const before = Deno.memoryUsage().rss;
    assert.equal(await fetchBig(), SIZE);
    const growth = Deno.memoryUsage().rss - before;
    assert.ok(
      growth < 3 * SIZE,
      `rss grew by ${(growth / MIB).toFixed(1)} MiB for a 20 MiB response`,
    );
  });
});
