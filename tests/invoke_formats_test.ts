/**
 * The stdin/stdout formats chosen with the `fnd.io/format` annotation, through a real
 * fnd process and real Docker with busybox functions: `default` (cold), `http` and
 * `json` (hot for body-less calls; a call with a body retires its container, so a body
 * the function left unread never reaches the next call), via /invoke and a trigger.
 */

import assert from "node:assert/strict";
import { startCallNode } from "./_call_node.ts";
import { assertError } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";

const images = await ensureTestImages();

Deno.test("the default format runs one container per call with the request in env and stdin", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({
    image: images["bb-default"],
    annotations: { "fnd.io/format": "default" },
  });
  for (const body of ["one", "two"]) {
    const res = await fetch(`${node.url}/invoke/${fnId}`, {
      method: "POST",
      body,
      headers: { "X-Test": "yes" },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const callId = res.headers.get("fn-call-id");
    assert.match(text, new RegExp(`^method=POST url=${node.url}/invoke/${fnId} call=${callId} `));
    assert.match(text, /x-test=yes body=(one|two)$/);
    assert.ok(text.endsWith(`body=${body}`));
  }
});

Deno.test("the http format keeps a hot container for body-less calls and answers with the function's head", async () => {
  await using node = await startCallNode();
  const { fnId, appName } = await node.deploy({
    image: images["bb-http"],
    annotations: { "fnd.io/format": "http" },
    trigger: "/web",
  });
  const first = await node.api.post(`/invoke/${fnId}`, "");
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("x-fn-format"), "http");
  assert.match(first.text, /^call=\w{26} n=1 req=POST .* body=$/);
  const second = await node.api.get(`/t/${appName}/web?q=1`);
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("x-fn-format"), "http", "plain headers pass a trigger too");
  assert.match(second.text, /^call=\w{26} n=2 req=GET .*\/t\/\w+\/web\?q=1.* body=$/);
  assert.equal((await node.containers()).length, 1);
});

Deno.test("the http format gives each call with a body a fresh container, so a body left unread never reaches the next call", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({
    image: images["bb-http"],
    annotations: { "fnd.io/format": "http" },
    config: { SKIP_BODY: "1" }, // the function never reads its request body
  });
  for (const _ of [1, 2]) {
    // 12 bytes: small enough to sit in the engine's pipe buffers unread.
    const res = await node.api.post(`/invoke/${fnId}`, "LEFTOVERBODY");
    assert.equal(res.status, 200);
    const callId = res.headers.get("fn-call-id");
    assert.equal(res.text, `call=${callId} n=1 req=POST ${node.url}/invoke/${fnId} HTTP/1.1 body=`);
  }
});

Deno.test("the json format answers with the function's status and headers", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({
    image: images["bb-json"],
    annotations: { "fnd.io/format": "json" },
  });
  for (const n of [1, 2]) {
    const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST" });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-fn-format"), "json");
    assert.equal(res.headers.get("content-type"), "text/plain");
    assert.equal(await res.text(), `call=${res.headers.get("fn-call-id")} n=${n} body=`);
  }
  assert.equal((await node.containers()).length, 1, "body-less calls share a hot container");
  const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "b3" });
  assert.equal(await res.text(), `call=${res.headers.get("fn-call-id")} n=3 body=b3`);
});

Deno.test("the json format gives each call with a body a fresh container, so a body left unread never reaches the next call", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({
    image: images["bb-json"],
    annotations: { "fnd.io/format": "json" },
    config: { SKIP_BODY: "1" }, // answers from the line's first fields, leaves the rest
  });
  for (const _ of [1, 2]) {
    const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "LEFTOVERBODY" });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), `call=${res.headers.get("fn-call-id")} n=1 body=`);
  }
});

Deno.test("an unknown format is a 400 that names the choices", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({
    image: images.hello,
    annotations: { "fnd.io/format": "cloudevent" },
  });
  const res = await node.api.post(`/invoke/${fnId}`, "x");
  assertError(
    res,
    400,
    'Invalid annotation fnd.io/format: "cloudevent" is not a known format, use one of ' +
      '"http-stream", "http", "json", "default" (or remove it for "http-stream")',
  );
});
