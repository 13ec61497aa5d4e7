import assert from "node:assert/strict";
import { NotReplayableError, ReplayableBody } from "./replay_body.ts";

const enc = new TextEncoder();

function source(parts: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]));
      else c.close();
    },
  }, { highWaterMark: 0 });
}

async function readAll(stream: ReadableStream<Uint8Array> | null, max = Infinity) {
  if (stream === null) return "";
  const reader = stream.getReader();
  let out = "";
  for (let n = 0; n < max; n++) {
    const { done, value } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return out;
}

Deno.test("ReplayableBody.open() replays the whole body after a partial attempt", async () => {
  const body = new ReplayableBody(source(["ab", "cd", "ef"]), 1024);
  assert.equal(await readAll(body.open(), 1), "ab");
  assert.equal(await readAll(body.open()), "abcdef");
  assert.equal(await readAll(body.open()), "abcdef");
});

Deno.test("ReplayableBody.release() drops what the committed reader has read", async () => {
  const body = new ReplayableBody(source(["ab", "cd", "ef"]), 1024);
  const stream = body.open()!;
  const reader = stream.getReader();
  await reader.read();
  body.release();
  assert.equal(body.bufferedBytes, 0);
  assert.equal(new TextDecoder().decode((await reader.read()).value), "cd");
  assert.equal(body.bufferedBytes, 0);
  assert.throws(() => body.open(), NotReplayableError);
});

Deno.test("ReplayableBody.open() refuses a replay past the limit", async () => {
  const body = new ReplayableBody(source(["aaaa", "bbbb", "cccc"]), 6);
  assert.equal(await readAll(body.open()), "aaaabbbbcccc");
  assert.ok(body.bufferedBytes <= 6);
  assert.throws(() => body.open(), /larger than the 6 bytes/);
});

Deno.test("ReplayableBody.open() gives null for a request without a body", () => {
  const body = new ReplayableBody(null, 10);
  assert.equal(body.open(), null);
  assert.equal(body.open(), null);
});

Deno.test("ReplayableBody passes the client's body error to the reader", async () => {
  const failing = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode("x"));
      c.error(new Error("too large"));
    },
  });
  const body = new ReplayableBody(failing, 100);
  await assert.rejects(readAll(body.open()), /too large/);
});

Deno.test("ReplayableBody.cancel() cancels the client's body", async () => {
  let cancelled: unknown;
  const src = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(enc.encode("x"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const body = new ReplayableBody(src, 100);
  await readAll(body.open(), 2);
  await body.cancel("gone");
  assert.equal(cancelled, "gone");
});
