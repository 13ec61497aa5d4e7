/**
 * HTTP triggers (`/t/{app}/{source}`) through a real fnd process and real Docker with
 * node FDK functions: lookups, the Fn-Http-* wrapping both ways, status mapping.
 */

import assert from "node:assert/strict";
import { startCallNode } from "./_call_node.ts";
import { assertError } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";

const images = await ensureTestImages();

Deno.test("an FDK function answers through a trigger as on Fn", async (t) => {
  await using node = await startCallNode();
  const { appName } = await node.deploy({ image: images.hello, trigger: "/hello" });
  await t.step("200, Content-Type and Fn-Call-Id only", async () => {
    const res = await node.api.post(`/t/${appName}/hello`, "Trig");
    assert.equal(res.status, 200);
    assert.equal(res.text, "Hello Trig");
    // A small answer arrives whole with its head, so it goes out sized, as on Fn.
    assert.deepEqual([...res.headers.keys()].filter((k) => k !== "date").sort(), [
      "content-length",
      "content-type",
      "fn-call-id",
    ]);
    assert.equal(res.headers.get("content-length"), String("Hello Trig".length));
  });
  await t.step("any method reaches the function", async () => {
    const res = await node.api.get(`/t/${appName}/hello`);
    assert.equal(`${res.status} ${res.text}`, "200 Hello World");
  });
  await t.step("404s for an unknown app or source", async () => {
    assertError(await node.api.get(`/t/nosuchapp/hello`), 404, "App not found");
    assertError(await node.api.get(`/t/${appName}/hello/`), 404, "Trigger not found");
    assertError(await node.api.get(`/t/${appName}`), 404, "Trigger not found");
  });
});

Deno.test("a trigger wraps the request in Fn-Http-* and unwraps the answer", async () => {
  await using node = await startCallNode();
  const { appName } = await node.deploy({ image: images.echo, trigger: "/echo" });
  const url = `${node.url}/t/${appName}/echo?x=1&y=2`;
  const res = await fetch(url, {
    method: "PUT",
    body: JSON.stringify({ status: 418, headers: { "X-Foo": "bar" } }),
    headers: { "Content-Type": "application/json", "X-In": "one" },
  });
  assert.equal(res.status, 418);
  assert.equal(res.headers.get("x-foo"), "bar");
  assert.equal(res.headers.get("fn-fdk-version"), null, "function headers are dropped");
  assert.equal(res.headers.get("fn-http-status"), null);
  assert.equal(res.headers.get("content-type"), "application/json");
  const seen = await res.json();
  assert.equal(seen.method, "PUT");
  assert.equal(seen.url, url);
  assert.equal(seen.callId, res.headers.get("fn-call-id"));
  const headers = Object.fromEntries(
    Object.entries(seen.headers as Record<string, string[]>).map(([k, v]) => [k.toLowerCase(), v]),
  );
  assert.deepEqual(headers["fn-http-h-x-in"], ["one"]);
  assert.deepEqual(headers["content-type"], ["application/json"]);
  assert.deepEqual(headers["fn-intent"], ["httprequest"]);
  assert.equal(headers["x-in"], undefined);
  assert.equal(headers["fn-http-h-host"], undefined);
});

Deno.test("a trigger ignores Fn-Http-Status values a response cannot carry", async () => {
  await using node = await startCallNode();
  const { appName } = await node.deploy({ image: images.echo, trigger: "/" });
  for (const status of [204, 503]) {
    const res = await node.api.post(`/t/${appName}`, JSON.stringify({ status }));
    assert.equal(res.status, status);
  }
  const res = await node.api.post(`/t/${appName}/`, JSON.stringify({ status: 99 }));
  assert.equal(res.status, 200);
});
