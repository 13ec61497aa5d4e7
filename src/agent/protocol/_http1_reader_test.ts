import assert from "node:assert/strict";
import { MalformedResponseError, ResponseHeadTooLargeError } from "./_http1_head.ts";
import { BodyReader, readResponseHead } from "./_http1_reader.ts";
import { sourceOf } from "./_test_source.ts";

async function bodyText(reader: BodyReader): Promise<string> {
  let out = "";
  for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
    out += new TextDecoder().decode(chunk);
  }
  return out;
}

Deno.test("readResponseHead() reads a head split across reads and leaves the body", async () => {
  const src = sourceOf("HTTP/1.1 200 OK\r\nContent-", "Length: 3\r\n", "\r\nabc");
  const head = await readResponseHead(src, 1024);
  assert.deepEqual(head.framing, { kind: "length", length: 3 });
  assert.equal(await bodyText(new BodyReader(src, head.framing)), "abc");
});

Deno.test("readResponseHead() skips 100 Continue", async () => {
  const src = sourceOf(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
  );
  assert.equal((await readResponseHead(src, 1024)).status, 201);
});

Deno.test("readResponseHead() throws when the head exceeds the limit", async (t) => {
  await t.step("terminated head", async () => {
    const src = sourceOf(`HTTP/1.1 200 OK\r\nX-Big: ${"b".repeat(200)}\r\n\r\n`);
    await assert.rejects(readResponseHead(src, 100), ResponseHeadTooLargeError);
  });
  await t.step("head still growing", async () => {
    const src = sourceOf("HTTP/1.1 200 OK\r\nX-Big: ", ...Array(20).fill("b".repeat(50)));
    await assert.rejects(readResponseHead(src, 500), (err: Error) => {
      assert.ok(err instanceof ResponseHeadTooLargeError);
      assert.equal(err.message, "server response headers exceeded 500 bytes");
      return true;
    });
  });
});

Deno.test("readResponseHead() throws on EOF", async (t) => {
  await t.step("before any byte", async () => {
    await assert.rejects(readResponseHead(sourceOf(), 100), MalformedResponseError);
  });
  await t.step("inside the head", async () => {
    await assert.rejects(readResponseHead(sourceOf("HTTP/1.1 200 OK\r\n"), 100), /unexpected EOF/);
  });
});

Deno.test("BodyReader decodes chunked bodies however the bytes are split", async (t) => {
  const wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  const splits: [string, (string)[]][] = [
    ["one piece", [wire]],
    ["byte by byte", wire.split("")],
    ["split inside CRLFs", [
      "5\r",
      "\nhel",
      "lo\r",
      "\n7;ext=1\r\n, wo",
      "rld\r\n0\r\n",
      "Trailer: x\r\n\r\nNEXT",
    ]],
  ];
  for (const [name, pieces] of splits) {
    await t.step(name, async () => {
      const src = sourceOf(...pieces);
      const reader = new BodyReader(src, { kind: "chunked" });
      assert.equal(await bodyText(reader), "hello, world");
      assert.equal(reader.done, true);
      assert.equal(await bodyText(new BodyReader(src, { kind: "close" })), "NEXT"); // left over
    });
  }
});

Deno.test("BodyReader reads a Content-Length body and stops at its end", async () => {
  const src = sourceOf("abcdefgh");
  const reader = new BodyReader(src, { kind: "length", length: 5 });
  assert.equal(await bodyText(reader), "abcde");
  assert.equal(new TextDecoder().decode((await src.read())!), "fgh");
});

Deno.test("BodyReader reads to EOF when the body runs to the close", async () => {
  const reader = new BodyReader(sourceOf("ab", "cd"), { kind: "close" });
  assert.equal(await bodyText(reader), "abcd");
  assert.equal(reader.done, true);
});

Deno.test("BodyReader throws on a truncated or malformed body", async (t) => {
  await t.step("short Content-Length body", async () => {
    const reader = new BodyReader(sourceOf("abc"), { kind: "length", length: 5 });
    await assert.rejects(bodyText(reader), MalformedResponseError);
  });
  await t.step("chunked body cut off", async () => {
    const reader = new BodyReader(sourceOf("5\r\nhel"), { kind: "chunked" });
    await assert.rejects(bodyText(reader), MalformedResponseError);
  });
  await t.step("bad chunk size", async () => {
    const reader = new BodyReader(sourceOf("zz\r\n"), { kind: "chunked" });
    await assert.rejects(bodyText(reader), /malformed chunk size/);
  });
  await t.step("missing CRLF after chunk data", async () => {
    const reader = new BodyReader(sourceOf("2\r\nabX\r\n0\r\n\r\n"), { kind: "chunked" });
    await assert.rejects(bodyText(reader), /malformed chunked encoding/);
  });
});
