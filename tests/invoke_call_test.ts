/**
 * `POST /invoke/{fnID}` through a real fnd process and real Docker with node FDK
 * functions: Fn's answers, header pass-through, environment and config, detached calls
 * and the request size limit.
 */

import assert from "node:assert/strict";
import { startCallNode } from "./_call_node.ts";
import { assertError } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";

const images = await ensureTestImages();

Deno.test("an FDK function answers through /invoke as on Fn", async (t) => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images.hello });
  await t.step("200 with the function's headers and Fn-Call-Id", async () => {
    const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "Bob" });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "Hello Bob");
    assert.equal(res.headers.get("content-type"), "text/plain");
    assert.match(res.headers.get("fn-call-id") ?? "", /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.match(res.headers.get("fn-fdk-version") ?? "", /^fdk-node\/0\.0\.76/);
  });
  await t.step("404 for an unknown fn, without a call id", async () => {
    const res = await node.api.post("/invoke/01NOSUCHFN0000000000000000", "x");
    assertError(res, 404, "Fn not found");
    assert.equal(res.headers.get("fn-call-id"), null);
  });
  await t.step("405 for other methods", async () => {
    assertError(
      await node.api.get(`/invoke/${fnId}`),
      405,
      `Method not allowed: GET /invoke/${fnId}`,
    );
  });
});

Deno.test("/invoke passes headers through both ways without interpreting Fn-Http-*", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images.echo });
  const res = await fetch(`${node.url}/invoke/${fnId}`, {
    method: "POST",
    body: JSON.stringify({ status: 404, headers: { "X-Foo": "bar" } }),
    headers: { "Content-Type": "application/json", "X-Custom": "one", "Fn-Call-Id": "mine" },
  });
  assert.equal(res.status, 200, "Fn-Http-Status does not change /invoke's status");
  assert.equal(res.headers.get("fn-http-status"), "404");
  assert.equal(res.headers.get("fn-http-h-x-foo"), "bar");
  const callId = res.headers.get("fn-call-id");
  const seen = await res.json();
  assert.equal(seen.callId, callId, "fnd replaces a client's Fn-Call-Id");
  assert.deepEqual(seen.headers["X-Custom"] ?? seen.headers["x-custom"], ["one"]);
  assert.deepEqual(seen.headers["Content-Type"] ?? seen.headers["content-type"], [
    "application/json",
  ]);
  assert.ok(new Date(seen.deadline).getTime() > Date.now(), "Fn-Deadline is in the future");
});

Deno.test("app and fn config reach the function's environment, fn config winning", async () => {
  await using node = await startCallNode();
  const { fnId, appId, appName } = await node.deploy({
    image: images["env-dump"],
    memory: 64,
    appConfig: { APP_VAR: "a", SHARED: "app", FN_MEMORY: "999" },
    config: { FN_VAR: "f", SHARED: "fn" },
  });
  const res = await node.api.post(`/invoke/${fnId}`, "");
  assert.equal(res.status, 200);
  const env = res.json.env as Record<string, string>;
  assert.deepEqual(
    {
      APP_VAR: env.APP_VAR,
      SHARED: env.SHARED,
      FN_VAR: env.FN_VAR,
      FN_MEMORY: env.FN_MEMORY,
      FN_TYPE: env.FN_TYPE,
      FN_FN_ID: env.FN_FN_ID,
      FN_APP_ID: env.FN_APP_ID,
      FN_APP_NAME: env.FN_APP_NAME,
      FN_FORMAT: env.FN_FORMAT,
      FN_LISTENER: env.FN_LISTENER,
    },
    {
      APP_VAR: "a",
      SHARED: "fn",
      FN_VAR: "f",
      FN_MEMORY: "64",
      FN_TYPE: "sync",
      FN_FN_ID: fnId,
      FN_APP_ID: appId,
      FN_APP_NAME: appName,
      FN_FORMAT: "http-stream",
      FN_LISTENER: "unix:/tmp/iofs/lsnr.sock",
    },
  );
  assert.ok(env.FN_FN_NAME);
});

Deno.test("a detached call answers 202 at once and runs to completion", async () => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  // fdk-node prints `frame=<Fn-Call-Id>` when a call starts: the function's own side
  // effect, visible in fnd's log of function output.
  const { fnId } = await node.deploy({
    image: images.slow,
    config: { FN_LOGFRAME_NAME: "frame", FN_LOGFRAME_HDR: "Fn-Call-Id" },
  });
  const started = performance.now();
  const res = await fetch(`${node.url}/invoke/${fnId}`, {
    method: "POST",
    body: "1500",
    headers: { "Fn-Invoke-Type": "detached" },
  });
  const ackMs = performance.now() - started;
  assert.equal(res.status, 202);
  assert.equal(await res.text(), "");
  const callId = res.headers.get("fn-call-id")!;
  assert.ok(ackMs < 1500, `acknowledged after ${Math.round(ackMs)} ms`);
  await node.waitForLog(new RegExp(`frame=${callId}`));
  const done = await node.waitForLog(new RegExp(`call finished.*call_id=${callId}`));
  assert.match(done, /status=success/);
  assert.ok(performance.now() - started >= 1500, "the call ran after the 202");
});

Deno.test("a chunked body over FN_MAX_REQUEST_SIZE gets 413 with the call id", async () => {
  await using node = await startCallNode({ FN_MAX_REQUEST_SIZE: "100000" });
  const { fnId } = await node.deploy({ image: images.hello });
  const chunk = new Uint8Array(40_000).fill(97);
  const body = ReadableStream.from([chunk, chunk, chunk]);
  const res = await node.api.post(`/invoke/${fnId}`, body);
  assert.equal(res.status, 413);
  assert.match(res.json.message, /max 100000/);
  assert.ok(res.headers.get("fn-call-id"));
  const ok = await node.api.post(`/invoke/${fnId}`, "small");
  assert.equal(ok.text, "Hello small", "the function still works afterwards");
});
