import assert from "node:assert/strict";
import {
  HeaderTooLargeError,
  HttpParseError,
  readBody,
  readResponseHead,
} from "./http_response_reader.ts";
import { sourceOf, text } from "./_test_source.ts";

Deno.test("readResponseHead() and readBody() read a Content-Length response and leave the rest", async () => {
  const src = sourceOf(
    "HTTP/1.1 404 Not Found\r\nX-A: 1\r\nContent-Le",
    "ngth: 5\r\n\r\nhel",
    "loNEXT",
  );
  const head = await readResponseHead(src, 1000);
  assert.equal(head.status, 404);
  assert.deepEqual(head.headers, [["X-A", "1"], ["Content-Length", "5"]]);
  assert.equal(await text(readBody(src, head.framing)), "hello");
  assert.equal(new TextDecoder().decode(src.buffered()), "NEXT");
});

Deno.test("readBody() decodes chunked bodies split anywhere", async () => {
  const src = sourceOf(
    "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n4\r\nWi",
    "ki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\nrest",
  );
  const head = await readResponseHead(src, 1000);
  assert.equal(await text(readBody(src, head.framing)), "Wikipedia");
  assert.equal(new TextDecoder().decode(src.buffered()), "rest");
});

Deno.test("readResponseHead() rejects malformed and oversized heads", async (t) => {
  await t.step("bad status line", async () => {
    await assert.rejects(readResponseHead(sourceOf("garbage\r\n\r\n"), 1000), HttpParseError);
  });
  await t.step("EOF", async () => {
    await assert.rejects(readResponseHead(sourceOf("HTTP/1.1 200 OK\r\n"), 1000), /unexpected EOF/);
  });
  await t.step("too large", async () => {
    const big = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(200) + "\r\n\r\n";
    await assert.rejects(readResponseHead(sourceOf(big), 100), HeaderTooLargeError);
  });
});
