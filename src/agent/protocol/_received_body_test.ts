import assert from "node:assert/strict";
import {
  decodeChunked,
  type ReceivedBytes,
  takeReceivedBody,
  WHOLE_ANSWER_MAX_BYTES,
} from "./_received_body.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

/** A source holding `received`, recording what was consumed. */
function source(received: string): ReceivedBytes & { left(): string } {
  let bytes = encoder.encode(received);
  return {
    receivedLength: () => bytes.length,
    received: () => bytes,
    consume: (count) => (bytes = bytes.subarray(count)),
    left: () => new TextDecoder().decode(bytes),
  };
}

Deno.test("decodeChunked() decodes a whole chunked body and says how much it used", () => {
  const wire = "6\r\nHello \r\n5;ext=1\r\nwhole\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  const decoded = decodeChunked(encoder.encode(wire));
  assert.equal(text(decoded?.body), "Hello whole");
  assert.equal(decoded?.used, wire.length - "NEXT".length);
  assert.equal(text(decodeChunked(encoder.encode("0\r\n\r\n"))?.body), "");
  assert.equal(
    text(decodeChunked(encoder.encode("A\r\n0123456789\r\n0\r\n\r\n"))?.body),
    "0123456789",
  );
});

Deno.test("decodeChunked() leaves incomplete or irregular bodies to the streaming reader", () => {
  for (
    const wire of [
      "", // nothing yet
      "6\r\nHello", // data still coming
      "6\r\nHello \r\n", // no last chunk yet
      "6\r\nHello \r\n0\r\n", // no final CRLF
      "6\r\nHello \r\n0\r\nTrailer: x\r\n", // trailers not ended
      "6\r\nHello XX0\r\n\r\n", // data longer than its size
      "zz\r\nHello \r\n0\r\n\r\n", // not a size
      "\r\n0\r\n\r\n", // empty size line
      "1000000000000\r\n", // more than 12 hex digits
      `${"0".repeat(2000)}\r\n`, // size line beyond the line limit
      "3;ext\nab\r\n0\r\n\r\n", // a bare LF ends a line for the streaming reader
      "2\r\nab\r\n0\r\nTrailer: x\n\r\n", // also in a trailer
    ]
  ) {
    assert.equal(decodeChunked(encoder.encode(wire)), undefined, JSON.stringify(wire));
  }
});

Deno.test("takeReceivedBody() takes a whole body and only that, or nothing", () => {
  const sized = source("Hello whole" + "EXTRA");
  assert.equal(text(takeReceivedBody(sized, { kind: "length", length: 11 })), "Hello whole");
  assert.equal(sized.left(), "EXTRA", "bytes after the body stay for whoever reads next");

  const short = source("Hello");
  assert.equal(takeReceivedBody(short, { kind: "length", length: 11 }), undefined);
  assert.equal(short.left(), "Hello", "nothing is consumed when the body is not all here");

  const chunked = source("5\r\nHello\r\n0\r\n\r\n");
  assert.equal(text(takeReceivedBody(chunked, { kind: "chunked" })), "Hello");
  assert.equal(chunked.left(), "");

  const incomplete = source("5\r\nHel");
  assert.equal(takeReceivedBody(incomplete, { kind: "chunked" }), undefined);
  assert.equal(incomplete.left(), "5\r\nHel");

  // A body that ends when the connection closes is never known to be whole in advance.
  assert.equal(takeReceivedBody(source("all of it"), { kind: "close" }), undefined);
  assert.equal(text(takeReceivedBody(source(""), { kind: "length", length: 0 })), "");
});

Deno.test("takeReceivedBody() leaves large answers to the stream, even when they have arrived", () => {
  const big = "x".repeat(WHOLE_ANSWER_MAX_BYTES + 1);
  const sized = source(big);
  assert.equal(takeReceivedBody(sized, { kind: "length", length: big.length }), undefined);
  assert.equal(sized.left().length, big.length, "nothing consumed");
  const chunked = source(`${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
  assert.equal(takeReceivedBody(chunked, { kind: "chunked" }), undefined);
  const atLimit = "y".repeat(WHOLE_ANSWER_MAX_BYTES);
  assert.equal(
    takeReceivedBody(source(atLimit), { kind: "length", length: atLimit.length })?.length,
    atLimit.length,
  );
});
