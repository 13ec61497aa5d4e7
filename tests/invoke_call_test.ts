/**
 * `POST /invoke/{fnID}` through a real fnd process and real Docker with node FDK
 * functions: Fn's answers, header pass-through, environment and config, detached calls
 * and the request size limit.
 */

import { generatedBody } from "./_bodies.ts";
import assert from "node:assert/strict";
import { startCallNode } from "./_call_node.ts";
import { assertError } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";

const MiB = 1024 * 1024;
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

Deno.test("a detached call that can never run gets its error instead of 202", async (t) => {
  await using node = await startCallNode({ FN_MAX_TOTAL_MEMORY_BYTES: String(200 * MiB) });
  const detached = (fnId: string) =>
    node.api.post(`/invoke/${fnId}`, "x", { headers: { "Fn-Invoke-Type": "detached" } });
  await t.step("400 for a function larger than the machine, without a call id", async () => {
    const { fnId } = await node.deploy({ image: images.hello, memory: 512 });
    const res = await detached(fnId);
    assertError(res, 400, "Requested CPU/Memory cannot be allocated");
    assert.equal(res.headers.get("fn-call-id"), null);
  });
  await t.step("400 for an unknown format", async () => {
    const { fnId } = await node.deploy({
      image: images.hello,
      annotations: { "fnd.io/format": "cloudevent" },
    });
    const res = await detached(fnId);
    assert.equal(res.status, 400);
    assert.match(res.json.message, /^Invalid annotation fnd\.io\/format/);
  });
});

Deno.test("a detached body is capped at 16 MiB by default and gets 413 with the call id", async (t) => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images.hello });
  const headers = { "Fn-Invoke-Type": "detached" };
  const cap = 16 * MiB;
  const post = (body: ReadableStream<Uint8Array>) =>
    node.api.post(`/invoke/${fnId}`, body, { headers });
  await t.step("a chunked body one byte over", async () => {
    const res = await post(generatedBody(cap + 1, 40_000, 97));
    assert.equal(res.status, 413);
    assert.match(res.json.message, new RegExp(`max ${cap}\\b`));
    assert.ok(res.headers.get("fn-call-id"));
  });
  await t.step("a declared length over it, refused before reading", async () => {
    const res = await fetch(`${node.url}/invoke/${fnId}`, {
      method: "POST",
      body: new Uint8Array(cap + 1),
      headers,
    });
    assert.equal(res.status, 413);
    assert.equal(
      (await res.json()).message,
      `Content-Length too large for this server, ${cap + 1} > max ${cap}`,
    );
    assert.ok(res.headers.get("fn-call-id"));
  });
  await t.step("a body of exactly the cap is accepted", async () => {
    const res = await post(generatedBody(cap, 40_000, 97));
    assert.equal(res.status, 202);
  });
});

Deno.test("a chunked body over FN_MAX_REQUEST_SIZE gets 413 with the call id", async (t) => {
  await using node = await startCallNode({ FN_MAX_REQUEST_SIZE: "100000" });
  const { fnId } = await node.deploy({ image: images.hello });
  for (const type of ["sync", "detached"]) {
    await t.step(type, async () => {
      const res = await node.api.post(`/invoke/${fnId}`, generatedBody(120_000, 40_000, 97), {
        headers: { "Fn-Invoke-Type": type },
      });
      assert.equal(res.status, 413);
      assert.match(res.json.message, /max 100000/);
      assert.ok(res.headers.get("fn-call-id"));
    });
  }
  const ok = await node.api.post(`/invoke/${fnId}`, "small");
  assert.equal(ok.text, "Hello small", "the function still works afterwards");
});
