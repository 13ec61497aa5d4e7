import assert from "node:assert/strict";
import {
  canonicalHeaderName,
  invokeRequestHeaders,
  invokeResponseHeaders,
  triggerRequestHeaders,
  triggerResponseHead,
} from "./_call_headers.ts";

Deno.test("canonicalHeaderName() title-cases like Go", async (t) => {
  const cases: [string, string][] = [
    ["content-type", "Content-Type"],
    ["x-foo-bar", "X-Foo-Bar"],
    ["USER-AGENT", "User-Agent"],
    ["te", "Te"],
    ["x_y", "X_y"],
  ];
  for (const [input, want] of cases) {
    await t.step(input, () => assert.equal(canonicalHeaderName(input), want));
  }
});

Deno.test("triggerRequestHeaders() wraps client headers for the function", () => {
  const req = new Request("http://localhost:8080/t/app/probe?x=1&y=2", {
    method: "PUT",
    headers: {
      "Content-Type": "text/plain",
      "User-Agent": "curl/8",
      "x-custom": "a",
      Connection: "keep-alive",
      "Keep-Alive": "timeout=5",
      "Fn-Invoke-Type": "detached",
    },
  });
  const h = triggerRequestHeaders(req);
  assert.deepEqual(Object.fromEntries(h), {
    "content-type": "text/plain",
    "fn-http-h-user-agent": "curl/8",
    "fn-http-h-x-custom": "a",
    "fn-http-h-fn-invoke-type": "detached",
    "fn-http-method": "PUT",
    "fn-http-request-url": "http://localhost:8080/t/app/probe?x=1&y=2",
    "fn-intent": "httprequest",
  });
});

Deno.test("triggerResponseHead() unwraps Fn-Http-H-* and drops everything else", () => {
  const head = triggerResponseHead(
    new Headers({
      "Fn-Http-Status": "418",
      "Fn-Http-H-X-Foo": "bar",
      "Fn-Http-H-": "dropped",
      "X-Drop": "y",
      "Fn-Fdk-Version": "fdk-node/0.0.76",
      "Content-Type": "application/json",
      "Content-Length": "12",
      "Fn-Call-Id": "ID",
    }),
  );
  assert.equal(head.status, 418);
  assert.deepEqual(Object.fromEntries(head.headers), {
    "content-type": "application/json",
    "x-foo": "bar",
  });
});

Deno.test("triggerResponseHead() prefers Fn-Http-H-Content-Type", () => {
  const head = triggerResponseHead(
    new Headers({ "Content-Type": "application/json", "Fn-Http-H-Content-Type": "text/html" }),
  );
  assert.equal(head.headers.get("content-type"), "text/html");
});

Deno.test("triggerResponseHead() takes Fn-Http-Status only when it is a usable status", async (t) => {
  const cases: [string | undefined, number][] = [
    [undefined, 200],
    ["204", 204],
    ["500", 500],
    ["599", 599],
    ["600", 200],
    ["100", 200],
    ["abc", 200],
    ["2 00", 200],
    ["-1", 200],
  ];
  for (const [value, want] of cases) {
    await t.step(String(value), () => {
      const headers = new Headers(value === undefined ? {} : { "Fn-Http-Status": value });
      assert.equal(triggerResponseHead(headers).status, want);
    });
  }
});

Deno.test("invokeRequestHeaders() passes client headers except Host and hop-by-hop", () => {
  const req = new Request("http://example.com:9/invoke/F", {
    method: "POST",
    headers: { "X-A": "1", "Content-Type": "a/b", "Keep-Alive": "x", "Fn-Call-Id": "client" },
  });
  assert.deepEqual(Object.fromEntries(invokeRequestHeaders(req)), {
    "content-type": "a/b",
    "fn-call-id": "client",
    "x-a": "1",
  });
});

Deno.test("invokeResponseHeaders() keeps the function's headers verbatim", () => {
  const out = invokeResponseHeaders(
    new Headers({
      "Fn-Http-Status": "404",
      "Fn-Http-H-X-Foo": "bar",
      "X-Drop": "y",
      "Keep-Alive": "timeout=1",
      "Content-Length": "3",
    }),
  );
  assert.deepEqual(Object.fromEntries(out), {
    "fn-http-h-x-foo": "bar",
    "fn-http-status": "404",
    "x-drop": "y",
  });
});
