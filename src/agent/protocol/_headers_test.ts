import assert from "node:assert/strict";
import {
  canonicalName,
  forwardableHeaders,
  headersFromRaw,
  isHopByHop,
  rfc3339,
} from "./_headers.ts";

Deno.test("rfc3339() formats UTC with seconds precision", () => {
  assert.equal(rfc3339(new Date(Date.UTC(2026, 10, 22, 12, 50, 42, 999))), "2026-11-22T12:50:42Z");
});

Deno.test("canonicalName() title-cases like Go", () => {
  assert.equal(canonicalName("x-foo-bar"), "X-Foo-Bar");
  assert.equal(canonicalName("CONTENT-TYPE"), "Content-Type");
  assert.equal(canonicalName("fn_call_id"), "Fn_call_id");
});

Deno.test("isHopByHop() keeps only Te: trailers", () => {
  assert.equal(isHopByHop("Te", "trailers"), false);
  assert.equal(isHopByHop("te", "gzip"), true);
  assert.equal(isHopByHop("Keep-Alive", "5"), true);
  assert.equal(isHopByHop("X-A", "1"), false);
});

Deno.test("forwardableHeaders() and headersFromRaw() drop hop-by-hop headers", () => {
  const h = forwardableHeaders(
    new Headers({ connection: "close", upgrade: "x", "x-a": "1", host: "h" }),
    ["host"],
  );
  assert.deepEqual([...h], [["x-a", "1"]]);
  const raw = headersFromRaw(["Transfer-Encoding", "chunked", "X-B", "1", "X-B", "2"]);
  assert.deepEqual([...raw], [["x-b", "1, 2"]]);
});
