/**
 * `/metrics` of the scale-out node types moves with real calls: an api node (v2 API
 * requests), an LB (invoke requests, the agent counters of the calls it places and its
 * placer metrics) and a pure runner on its HTTP port (agent counters, latency split,
 * containers, resources), as real processes with real Docker.
 */
import assert from "node:assert/strict";
import { removeContainersTagged, uniqueTag } from "./_call_node.ts";
import { client } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";
import { type Scrape, scrape } from "./_metrics.ts";
import { startFnd } from "./_server.ts";

/** Scrapes until `ready` holds (nodes record asynchronously), at most 10 s. */
async function scrapeUntil(url: string, ready: (s: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await scrape(url);
    if (ready(s) || Date.now() > deadline) return s;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("api, lb and pure-runner nodes: /metrics families move under load", async () => {
  const images = await ensureTestImages();
  const tag = uniqueTag();
  await using api = await startFnd({ env: { FN_NODE_TYPE: "api" } });
  await using runner = await startFnd({
    env: {
      FN_NODE_TYPE: "pure-runner",
      FN_GRPC_PORT: "0",
      FN_CONTAINER_LABEL_TAG: tag,
      FN_FREEZE_IDLE_MSECS: "-1",
      FN_LOG_LEVEL: "debug",
    },
  });
  try {
    const grpcPort = /grpc_port=(\d+)/.exec(await runner.waitForLog(/pure runner listening/))?.[1];
    await using lb = await startFnd({
      env: {
        FN_NODE_TYPE: "lb",
        FN_RUNNER_API_URL: api.url,
        FN_RUNNER_ADDRESSES: `127.0.0.1:${grpcPort}`,
      },
    });
    const before = { api: await scrape(api.url), lb: await scrape(lb.url) };
    assert.equal(before.lb.sum("fn_api_request_count", { path: "/invoke/:fn_id" }), 0);

    const v2 = client(api.url);
    const app = await v2.post("/v2/apps", { name: `m${crypto.randomUUID().slice(0, 8)}` });
    const fn = await v2.post("/v2/fns", {
      "app_id": app.json.id,
      name: "hello",
      image: images.hello,
      memory: 64,
    });
    assert.equal(fn.status, 200, fn.text);
    const ids = { "app_id": app.json.id, "fn_id": fn.json.id };
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${lb.url}/invoke/${fn.json.id}`, { method: "POST", body: "m" });
      assert.deepEqual([res.status, await res.text()], [200, "Hello m"]);
    }

    const apiAfter = await scrape(api.url);
    assert.equal(apiAfter.sum("fn_api_request_count", { method: "POST", path: "/v2/apps" }), 1);
    assert.equal(apiAfter.sum("fn_api_request_count", { method: "POST", path: "/v2/fns" }), 1);
    assert.ok(apiAfter.sum("fn_api_latency_count") > before.api.sum("fn_api_latency_count"));
    assert.ok(apiAfter.has("fn_process_resident_memory_bytes"));

    const lbAfter = await scrapeUntil(lb.url, (s) => s.sum("fn_completed", ids) === 10);
    const invoke = { method: "POST", path: "/invoke/:fn_id" };
    assert.equal(lbAfter.sum("fn_api_request_count", invoke), 10);
    assert.equal(lbAfter.sum("fn_api_response_count", { ...invoke, status: "200" }), 10);
    assert.equal(lbAfter.sum("fn_calls", ids), 10);
    assert.equal(lbAfter.sum("fn_completed", ids), 10);
    assert.equal(lbAfter.sum("fn_running", ids), 0);
    assert.equal(lbAfter.sum("fn_lb_placer_attempt_count_count"), 10);
    assert.ok(lbAfter.has("fn_process_cpu_seconds_total"));

    const r = await scrapeUntil(runner.url, (s) => s.sum("fn_completed", ids) === 10);
    assert.equal(r.sum("fn_calls", ids), 10);
    assert.equal(r.sum("fn_completed", ids), 10);
    assert.equal(r.sum("fn_call_exec_latency_count", ids), 10);
    assert.equal(r.sum("fn_container_launches", { ...ids, result: "ok" }), 1);
    assert.equal(r.sum("fn_container_idle_total", ids), 1);
    assert.equal(r.sum("fn_util_mem_used"), 64 * 1024 * 1024);
    assert.ok(r.has("fn_process_resident_memory_bytes"));
    assert.ok(r.sum("fn_api_request_count", { method: "GET", path: "/metrics" }) >= 1);
  } finally {
    await runner.stop();
    await removeContainersTagged(tag);
  }
});
