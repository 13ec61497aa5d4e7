/**
 * Hot containers through a real fnd process and real Docker: reuse, bounded
 * concurrency, idle timeout, leftovers of a killed fnd (and not of another live one),
 * and SIGTERM with a call in flight.
 */

import assert from "node:assert/strict";
import {
  containersTagged,
  FRAME_CONFIG,
  holdTheOnlySlot,
  ONE_SLOT_MEMORY,
  startCallNode,
  uniqueTag,
} from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";
import { assertError } from "./_http.ts";

const MiB = 1024 * 1024;
const images = await ensureTestImages();

async function invoke(url: string, fnId: string, body: string, headers: HeadersInit = {}) {
  const res = await fetch(`${url}/invoke/${fnId}`, { method: "POST", body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

Deno.test("sequential calls reuse one hot container", async () => {
  await using node = await startCallNode();
  const { fnId } = await node.deploy({ image: images.hello });
  for (const name of ["a", "b", "c", "d", "e"]) {
    const res = await invoke(node.url, fnId, name);
    assert.equal(res.status, 200);
    assert.equal(res.text, `Hello ${name}`);
  }
  assert.equal((await node.containers()).length, 1);
});

Deno.test("parallel calls run on a bounded number of containers and all get answers", async () => {
  // Room for three 64 MB containers, not four.
  await using node = await startCallNode({ FN_MAX_TOTAL_MEMORY_BYTES: String(200 * MiB) });
  const { fnId } = await node.deploy({ image: images.slow, memory: 64 });
  const results = await Promise.all(
    Array.from({ length: 7 }, () => invoke(node.url, fnId, "700")),
  );
  assert.deepEqual(results.map((r) => `${r.status} ${r.text}`), Array(7).fill("200 slept 700"));
  const containers = await node.containers();
  assert.ok(containers.length >= 2 && containers.length <= 3, `${containers.length} containers`);
});

Deno.test("an idle container is removed after the function's idle timeout", async () => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  const { fnId } = await node.deploy({ image: images.hello, idleTimeout: 1 });
  assert.equal((await invoke(node.url, fnId, "x")).status, 200);
  assert.equal((await node.containers()).length, 1);
  await node.waitForLog(/container removed.*reason="idle timeout"/);
  assert.equal((await node.containers()).length, 0);
});

Deno.test("containers left by a SIGKILLed fnd are removed at the next start", async () => {
  const tag = uniqueTag();
  await using first = await startCallNode({}, tag);
  const { fnId } = await first.deploy({ image: images.hello });
  assert.equal((await invoke(first.url, fnId, "x")).status, 200);
  first.fnd.kill("SIGKILL");
  await first.fnd.status;
  assert.equal((await containersTagged(tag)).length, 1, "the killed fnd left its container");
  await using second = await startCallNode({}, tag);
  assert.equal((await containersTagged(tag)).length, 0);
  assert.match(second.fnd.stderr(), /removed leftover containers.*count=1/);
});

Deno.test("a second fnd on the same engine and label tag leaves the first one's containers alone", async () => {
  const tag = uniqueTag();
  // The first node is `full@<host>:0` (FN_PORT=0); the second names itself.
  await using first = await startCallNode({}, tag);
  const { fnId } = await first.deploy({ image: images.hello });
  assert.equal((await invoke(first.url, fnId, "x")).status, 200);
  const [container] = await containersTagged(tag);
  await using second = await startCallNode({ FN_CONTAINER_NODE_ID: "another-node" }, tag);
  assert.doesNotMatch(second.fnd.stderr(), /removed leftover containers/);
  assert.deepEqual((await containersTagged(tag)).map((c) => c.Id), [container!.Id]);
  assert.equal((await invoke(first.url, fnId, "y")).text, "Hello y", "still served hot");
  assert.deepEqual((await containersTagged(tag)).map((c) => c.Id), [container!.Id]);
});

Deno.test("SIGTERM lets the call in flight finish, then no container remains", async () => {
  await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
  const { fnId } = await node.deploy({ image: images.slow, config: FRAME_CONFIG });
  const call = fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "1500" });
  // The function prints its frame line once it runs the call (it sees fnd's call id).
  await node.waitForLog(/frame=\w{26}/);
  node.fnd.kill("SIGTERM");
  const res = await call;
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "slept 1500");
  assert.equal((await node.fnd.status).code, 0);
  assert.equal((await node.containers()).length, 0);
});

Deno.test("SIGTERM answers a call still waiting for a container with 503 at once", async () => {
  // Room for one 128 MB container, held by a running call: the second call waits.
  await using node = await startCallNode({
    FN_LOG_LEVEL: "trace",
    FN_MAX_TOTAL_MEMORY_BYTES: ONE_SLOT_MEMORY,
    FN_HOT_START_TIMEOUT_MSECS: "30000",
  });
  const waiter = await node.deploy({ image: images.hello, memory: 128 });
  const { busy } = await holdTheOnlySlot(node, images.slow, 3000);
  const waiting = fetch(`${node.url}/invoke/${waiter.fnId}`, { method: "POST", body: "x" });
  await node.waitForLog(new RegExp(`request received.*invoke/${waiter.fnId}`));
  const signalled = performance.now();
  node.fnd.kill("SIGTERM");
  const res = await waiting;
  const elapsedMs = performance.now() - signalled;
  const text = await res.text();
  assertError(
    { status: res.status, headers: res.headers, text, json: JSON.parse(text) },
    503,
    "Timed out - server too busy",
  );
  assert.ok(elapsedMs < 2000, `answered ${Math.round(elapsedMs)} ms after SIGTERM`);
  const done = await busy;
  assert.deepEqual([done.status, done.text], [200, "slept 3000"], "the running call finishes");
  assert.equal((await node.fnd.status).code, 0);
});
