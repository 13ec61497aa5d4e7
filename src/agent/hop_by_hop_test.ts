import assert from "node:assert/strict";
import { stripHopByHop } from "./hop_by_hop.ts";

Deno.test("stripHopByHop() drops connection headers and keeps the rest", () => {
  const headers = new Headers({
    Connection: "keep-alive",
    "Keep-Alive": "timeout=5",
    "Transfer-Encoding": "chunked",
    Upgrade: "h2c",
    "Proxy-Authorization": "x",
    Te: "gzip",
    "Content-Type": "text/plain",
    "X-A": "1",
  });
  const out = stripHopByHop(headers);
  assert.deepEqual([...out.keys()].sort(), ["content-type", "x-a"]);
});

Deno.test("stripHopByHop() keeps Te when it is exactly trailers", () => {
  assert.equal(stripHopByHop(new Headers({ Te: "trailers" })).get("te"), "trailers");
});

Deno.test("stripHopByHop() returns the headers themselves when none is hop-by-hop", () => {
  const headers = new Headers({ "Content-Type": "text/plain", "Fn-Call-Id": "1" });
  assert.equal(stripHopByHop(headers), headers);
  const withConnection = new Headers({ Connection: "close", "Fn-Call-Id": "1" });
  const stripped = stripHopByHop(withConnection);
  assert.notEqual(stripped, withConnection, "a copy when something must go");
  assert.equal(withConnection.get("connection"), "close", "the caller's headers are untouched");
  assert.deepEqual([...stripped], [["fn-call-id", "1"]]);
});
