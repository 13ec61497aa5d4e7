/**
 * A pure runner stopping gracefully behind a real LB (real processes, real Docker): the
 * call it has in flight finishes and reaches the client, calls that arrive meanwhile go
 * to the other runner, and the runner exits 0. The runner leaves its connections to the
 * process exit instead of sending GOAWAY (README, known issues), so this also pins that
 * nothing in flight is lost that way.
 */

import assert from "node:assert/strict";
import { removeContainersTagged, uniqueTag } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";
import { type FndProcess, startFnd } from "./_server.ts";

const STARTED = /DEBUG call started/g;

async function startRunner(tag: string): Promise<FndProcess & { grpcAddress: string }> {
  const fnd = await startFnd({
    env: {
      FN_NODE_TYPE: "pure-runner",
      FN_GRPC_PORT: "0",
      FN_CONTAINER_LABEL_TAG: tag,
      FN_LOG_LEVEL: "debug",
    },
  });
  const line = await fnd.waitForLog(/pure runner listening/);
  const port = Number(/grpc_port=(\d+)/.exec(line)?.[1]);
  return Object.assign(fnd, { grpcAddress: `127.0.0.1:${port}` });
}

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: "POST", body });
  return { status: res.status, text: await res.text() };
}

Deno.test("a pure runner on SIGTERM finishes its call in flight, then exits 0", async () => {
  const images = await ensureTestImages();
  const tags = [uniqueTag(), uniqueTag(), uniqueTag()];
  try {
    await using api = await startFnd({ env: { FN_CONTAINER_LABEL_TAG: tags[0]! } });
    await using a = await startRunner(tags[1]!);
    await using b = await startRunner(tags[2]!);
    await using lb = await startFnd({
      env: {
        FN_NODE_TYPE: "lb",
        FN_RUNNER_API_URL: api.url,
        FN_RUNNER_ADDRESSES: `${a.grpcAddress},${b.grpcAddress}`,
      },
    });
    const app = await post(`${api.url}/v2/apps`, JSON.stringify({ name: "shutdown" }));
    const appId = JSON.parse(app.text).id;
    const fn = await post(
      `${api.url}/v2/fns`,
      JSON.stringify({ app_id: appId, name: "slow", image: images.slow }),
    );
    const fnId = JSON.parse(fn.text).id;
    // The naive placer starts with runner A.
    const inFlight = post(`${lb.url}/invoke/${fnId}`, "2000");
    await a.waitForLog(/DEBUG call started/);
    a.kill("SIGTERM");
    await a.waitForLog(/fnd shutting down/);
    const meanwhile = await post(`${lb.url}/invoke/${fnId}`, "10");
    assert.deepEqual([meanwhile.status, meanwhile.text], [200, "slept 10"]);
    assert.deepEqual(await inFlight, { status: 200, text: "slept 2000" });
    assert.equal((await a.status).code, 0);
    assert.equal(a.stderr().match(STARTED)?.length, 1, "runner A ran only the first call");
    assert.equal(b.stderr().match(STARTED)?.length, 1, "runner B took the call meanwhile");
  } finally {
    for (const tag of tags) await removeContainersTagged(tag);
  }
});
