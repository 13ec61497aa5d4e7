import assert from "node:assert/strict";
import {
  encodeRequestHead,
  headEnd,
  latin1Bytes,
  latin1Text,
  MalformedResponseError,
  parseResponseHead,
} from "./_http1_head.ts";

const bytes = (s: string) => latin1Bytes(s);

Deno.test("encodeRequestHead() writes an origin-form POST with the fields in order", () => {
  const head = encodeRequestHead("/call", [["Host", "localhost"], ["Fn-Call-Id", "C1"]]);
  assert.equal(
    latin1Text(head),
    "POST /call HTTP/1.1\r\nHost: localhost\r\nFn-Call-Id: C1\r\n\r\n",
  );
});

Deno.test("latin1Bytes() and latin1Text() map bytes 1:1, including 0x80-0x9f", () => {
  const text = "a\u0080\u009f\u00e9\u00ff";
  assert.deepEqual([...latin1Bytes(text)], [0x61, 0x80, 0x9f, 0xe9, 0xff]);
  assert.equal(latin1Text(latin1Bytes(text)), text);
});

Deno.test("headEnd() finds the blank line after CRLF or bare LF lines", async (t) => {
  const cases: [string, string, number][] = [
    ["CRLF", "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", 25],
    ["bare LF", "HTTP/1.1 200 OK\nA: b\n\nbody", 22],
    ["incomplete", "HTTP/1.1 200 OK\r\nA: b\r\n", -1],
  ];
  for (const [name, text, end] of cases) {
    await t.step(name, () => assert.equal(headEnd(bytes(text)), end));
  }
  await t.step("resumed from an earlier search", () => {
    const text = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
    assert.equal(headEnd(bytes(text), text.length - 1), text.length);
  });
});

Deno.test("parseResponseHead() reads status, raw headers, framing and keep-alive", async (t) => {
  const parse = (text: string) => parseResponseHead(bytes(text + "\r\n"));
  await t.step("chunked 200", () => {
    const head = parse(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n",
    );
    assert.equal(head.status, 200);
    assert.deepEqual(head.rawHeaders, [
      "Content-Type",
      "text/plain",
      "Transfer-Encoding",
      "chunked",
    ]);
    assert.deepEqual(head.framing, { kind: "chunked" });
    assert.equal(head.keepAlive, true);
  });
  await t.step("Content-Length, repeated identically", () => {
    const head = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n");
    assert.deepEqual(head.framing, { kind: "length", length: 5 });
  });
  await t.step("no length: read to the close, not reusable", () => {
    const head = parse("HTTP/1.1 200 OK\r\n");
    assert.deepEqual(head.framing, { kind: "close" });
    assert.equal(head.keepAlive, false);
  });
  await t.step("204 and 304 have no body", () => {
    assert.deepEqual(parse("HTTP/1.1 204 No Content\r\n").framing, { kind: "none" });
    assert.deepEqual(parse("HTTP/1.1 304 Not Modified\r\n").framing, { kind: "none" });
  });
  await t.step("Connection: close and HTTP/1.0", () => {
    assert.equal(
      parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n").keepAlive,
      false,
    );
    assert.equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n").keepAlive, false);
    assert.equal(
      parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n").keepAlive,
      true,
    );
  });
  await t.step("no reason phrase, OWS trimmed, obs-fold joined", () => {
    const head = parse("HTTP/1.1 502\r\nX-A:   1  \r\nX-B: one\r\n  two\r\nContent-Length: 0\r\n");
    assert.equal(head.status, 502);
    assert.deepEqual(head.rawHeaders.slice(0, 4), ["X-A", "1", "X-B", "one two"]);
  });
});

Deno.test("parseResponseHead() rejects what is not HTTP/1.x", async (t) => {
  const bad: [string, string][] = [
    ["not HTTP", "SSH-2.0-OpenSSH\r\n\r\n"],
    ["HTTP/2 status line", "HTTP/2 200\r\n\r\n"],
    ["header without colon", "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n"],
    ["space before colon", "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n"],
    ["conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"],
    ["bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"],
  ];
  for (const [name, text] of bad) {
    await t.step(name, () => {
      assert.throws(() => parseResponseHead(bytes(text)), MalformedResponseError);
    });
  }
});
