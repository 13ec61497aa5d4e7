/**
 * What a client sees when functions fail or capacity runs out, through a real fnd
 * process and real Docker: timeouts, crashes, eviction and 503 under exhaustion (at once
 * with the non-blocking tracker, after a stalled wait in the default blocking mode).
 */

import assert from "node:assert/strict";
import {
  FRAME_CONFIG,
  holdTheOnlySlot,
  killContainer,
  ONE_SLOT_MEMORY,
  startCallNode,
} from "./_call_node.ts";
import { assertError } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";

const MiB = 1024 * 1024;
const images = await ensureTestImages();

Deno.test("a call past the function's timeout gets 504 and its container is removed", async () => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  const { fnId } = await node.deploy({ image: images.slow, timeout: 1 });
  const res = await node.api.post(`/invoke/${fnId}`, "5000");
  assertError(res, 504, "Timed out");
  assert.ok(res.headers.get("fn-call-id"));
  await node.waitForLog(/container removed.*reason="not reusable after the call"/);
  assert.equal((await node.containers()).length, 0);
});

Deno.test("a crash mid-call gets 502 and the next call runs on a fresh container", async (t) => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  await t.step("the function exits mid-call", async () => {
    const { fnId } = await node.deploy({ image: images.crash });
    const res = await node.api.post(`/invoke/${fnId}`, "x");
    assertError(res, 502, "error receiving function response");
    await node.waitForLog(/container removed.*reason=/);
  });
  await t.step("the container is killed mid-call, then the function recovers", async () => {
    const { fnId } = await node.deploy({ image: images.slow, config: FRAME_CONFIG });
    const first = node.api.post(`/invoke/${fnId}`, "5000");
    await node.waitForLog(/frame=\w{26}/);
    const [victim] = (await node.containers()).filter((c) => c.Labels["fnd.fn_id"] === fnId);
    await killContainer(victim!.Id);
    assertError(await first, 502, "error receiving function response");
    const next = await node.api.post(`/invoke/${fnId}`, "10");
    assert.equal(`${next.status} ${next.text}`, "200 slept 10");
    const now = (await node.containers()).filter((c) => c.Labels["fnd.fn_id"] === fnId);
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.Id, victim!.Id);
  });
});

Deno.test("a client that leaves mid-call cancels it; the container is replaced", async () => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  const { fnId } = await node.deploy({ image: images.slow, config: FRAME_CONFIG });
  const client = new AbortController();
  const call = fetch(`${node.url}/invoke/${fnId}`, {
    method: "POST",
    body: "5000",
    signal: client.signal,
  }).catch((err: Error) => err.name);
  const frame = await node.waitForLog(/frame=\w{26}/);
  const callId = /frame=(\w{26})/.exec(frame)![1];
  client.abort();
  assert.equal(await call, "AbortError");
  const done = await node.waitForLog(new RegExp(`call finished.*call_id=${callId}`));
  assert.match(done, /status=canceled/);
  // Before the function's headers, Fn cannot trust the container: it is removed.
  await node.waitForLog(/container removed.*reason="not reusable after the call"/);
  const next = await node.api.post(`/invoke/${fnId}`, "10");
  assert.equal(`${next.status} ${next.text}`, "200 slept 10");
});

Deno.test("an idle container of another function is evicted when memory is full", async () => {
  // Room for one 128 MB container only.
  await using node = await startCallNode({ FN_MAX_TOTAL_MEMORY_BYTES: String(200 * MiB) });
  const a = await node.deploy({ image: images.hello, memory: 128 });
  const b = await node.deploy({ image: images.hello, memory: 128 });
  assert.equal((await node.api.post(`/invoke/${a.fnId}`, "a")).text, "Hello a");
  assert.equal((await node.api.post(`/invoke/${b.fnId}`, "b")).text, "Hello b");
  const owners = (await node.containers()).map((c) => c.Labels["fnd.fn_id"]);
  assert.deepEqual(owners, [b.fnId], "a's idle container made room for b's");
});

Deno.test("with the non-blocking tracker a call beyond capacity gets 503 at once", async () => {
  await using node = await startCallNode({
    FN_LOG_LEVEL: "debug",
    FN_ENABLE_NB_RESOURCE_TRACKER: "true",
    FN_MAX_TOTAL_MEMORY_BYTES: String(200 * MiB),
  });
  const { fnId } = await node.deploy({ image: images.slow, memory: 128, config: FRAME_CONFIG });
  const busy = node.api.post(`/invoke/${fnId}`, "2000");
  await node.waitForLog(/frame=\w{26}/);
  const started = performance.now();
  const res = await node.api.post(`/invoke/${fnId}`, "10");
  const elapsedMs = performance.now() - started;
  assertError(res, 503, "Timed out - server too busy");
  assert.equal(res.headers.get("retry-after"), "15");
  assert.ok(res.headers.get("fn-call-id"));
  assert.ok(elapsedMs < 1000, `answered in ${Math.round(elapsedMs)} ms`);
  assert.equal((await busy).text, "slept 2000");
});

Deno.test("in the default blocking mode a call that cannot get room gets 503 once its wait stalls", async () => {
  // Room for one 128 MB container; a waiter gives up after fn timeout + start timeout
  // (1 s + 1 s) without any progress of its queue (wait_limit.ts).
  await using node = await startCallNode({
    FN_LOG_LEVEL: "debug",
    FN_MAX_TOTAL_MEMORY_BYTES: ONE_SLOT_MEMORY,
    FN_HOT_START_TIMEOUT_MSECS: "1000",
  });
  const waiter = await node.deploy({ image: images.hello, memory: 128, timeout: 1 });
  const { busy } = await holdTheOnlySlot(node, images.slow, 6000);
  const started = performance.now();
  // The holder's only container is busy, so it cannot be evicted: no room ever comes.
  const res = await node.api.post(`/invoke/${waiter.fnId}`, "x");
  const elapsedMs = performance.now() - started;
  assertError(res, 503, "Timed out - server too busy");
  assert.equal(res.headers.get("retry-after"), "15");
  assert.ok(res.headers.get("fn-call-id"));
  assert.ok(elapsedMs >= 2000 && elapsedMs < 5000, `answered after ${Math.round(elapsedMs)} ms`);
  assert.equal((await busy).text, "slept 6000", "the holder's call was not disturbed");
});

Deno.test("a function larger than the machine gets 400 without a call id", async () => {
  await using node = await startCallNode({ FN_MAX_TOTAL_MEMORY_BYTES: String(200 * MiB) });
  const { fnId } = await node.deploy({ image: images.hello, memory: 512 });
  const res = await node.api.post(`/invoke/${fnId}`, "x");
  assertError(res, 400, "Requested CPU/Memory cannot be allocated");
  assert.equal(res.headers.get("fn-call-id"), null);
});

Deno.test("a container that exits before it is ready gets Fn's init error", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images["bb-misc"], config: { MODE: "exit" } });
  const res = await node.api.post(`/invoke/${fnId}`, "x");
  assertError(
    res,
    502,
    "Container failed to initialize, please ensure you are using the latest fdk and check the logs",
  );
  assert.ok(res.headers.get("fn-call-id"));
});
