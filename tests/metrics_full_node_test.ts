/**
 * `/metrics` of a full node moves with real calls on real Docker: API requests, the
 * agent's call counters (completed, timeouts, errors, canceled, server busy), the call
 * latency split, containers by state, launches, evictions, idle timeouts, crashes,
 * resource use, image pulls, Docker stats and process metrics.
 */
import assert from "node:assert/strict";
import Docker from "dockerode";
import { type CallNode, startCallNode } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";
import { logLine } from "./_log_wait.ts";
import { type Scrape, scrape } from "./_metrics.ts";

const docker = new Docker();

async function call(node: CallNode, fnId: string, body: string, signal?: AbortSignal) {
  const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body, signal });
  return { status: res.status, text: await res.text() };
}

/** Scrapes until `ready` holds (the node records asynchronously), at most `ms`. */
async function scrapeUntil(
  url: string,
  ready: (s: Scrape) => boolean,
  ms = 10_000,
): Promise<Scrape> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await scrape(url);
    if (ready(s) || Date.now() > deadline) return s;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the first Docker `pause` event of a container labelled `tag`. */
async function nextPause(tag: string): Promise<{ promise: Promise<void>; stop: () => void }> {
  const stream = await docker.getEvents({
    filters: JSON.stringify({ event: ["pause"], label: [`fnd.classifier=${tag}`] }),
  }) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const promise = new Promise<void>((resolve) => stream.once("data", () => resolve()));
  return { promise, stop: () => stream.destroy() };
}

/** A loopback `docker-registry` holding `image` as `<host>/fnd-metrics/pulled:1`. */
async function registryWith(image: string): Promise<AsyncDisposable & { ref: string }> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const dir = await Deno.makeTempDir({ prefix: "fnd-metrics-registry-" });
  await Deno.writeTextFile(
    `${dir}/config.yml`,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = new Deno.Command("/usr/bin/docker-registry", {
    args: ["serve", `${dir}/config.yml`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const ref = `127.0.0.1:${port}/fnd-metrics/pulled:1`;
  const dispose = async () => {
    await docker.getImage(ref).remove({ force: true }).catch(() => {});
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const log = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    for (let seen = ""; !seen.includes("listening on");) {
      const { value, done } = await log.read();
      if (done) throw new Error(`docker-registry exited: ${seen}`);
      seen += value;
    }
    void (async () => {
      while (!(await log.read()).done) { /* drain */ }
    })();
    const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), "1"];
    await docker.getImage(image).tag({ repo, tag });
    const push = await docker.getImage(ref).push({
      authconfig: { serveraddress: `127.0.0.1:${port}` },
    });
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(push, (err: unknown) => err ? reject(err) : resolve(undefined))
    );
    await docker.getImage(ref).remove();
  } catch (err) {
    await dispose();
    throw err;
  }
  return { ref, [Symbol.asyncDispose]: dispose };
}

Deno.test("full node: /metrics families move under load", async (t) => {
  const images = await ensureTestImages();
  await using node = await startCallNode({
    FN_LOG_LEVEL: "debug",
    FN_FREEZE_IDLE_MSECS: "200",
    FN_DOCKER_STATS_INTERVAL_MSECS: "100",
  });
  const before = await scrape(node.url);
  const a = await node.deploy({ image: images.logger });
  const ids = (d: { appId: string; fnId: string }) => ({ "app_id": d.appId, "fn_id": d.fnId });

  await t.step("hot calls: API and call counters, latency split, launch, pause", async () => {
    const paused = await nextPause(node.tag);
    try {
      for (let i = 0; i < 20; i++) assert.equal((await call(node, a.fnId, "x")).status, 200);
      await paused.promise;
    } finally {
      paused.stop();
    }
    const s = await scrapeUntil(node.url, (s) => s.sum("fn_container_paused_total", ids(a)) === 1);
    assert.equal(s.sum("fn_calls", ids(a)), 20);
    assert.equal(s.sum("fn_completed", ids(a)), 20);
    assert.equal(s.sum("fn_call_exec_latency_count", ids(a)), 20);
    assert.equal(s.sum("fn_call_sched_latency_count", ids(a)), 20);
    assert.equal(s.sum("fn_container_launches", { ...ids(a), result: "ok" }), 1);
    assert.equal(s.sum("fn_container_launch_latency_count", ids(a)), 1);
    assert.equal(s.sum("fn_container_paused_total", ids(a)), 1);
    const invoke = { method: "POST", path: "/invoke/:fn_id" };
    assert.equal(s.sum("fn_api_request_count", invoke), 20);
    assert.equal(s.sum("fn_api_response_count", { ...invoke, status: "200", blame: "user" }), 20);
    assert.equal(s.sum("fn_api_latency_count", invoke), 20);
    assert.ok(s.sum("fn_api_request_count", { path: "/v2/fns" }) >= 1);
    assert.deepEqual(s.meta("fn_calls"), { help: "calls created in agent", type: "counter" });
  });

  await t.step(
    "a running call: fn_running, busy containers, reserved memory, Docker stats",
    async () => {
      const token = crypto.randomUUID();
      const running = call(node, a.fnId, `${token}\nsleep 1500`);
      await logLine(node.fnd, new RegExp(`out: ${token}`));
      const s = await scrapeUntil(
        node.url,
        (s) => s.sum("fn_docker_stats_cpu_total_count", ids(a)) > 0,
      );
      assert.equal(s.sum("fn_running", ids(a)), 1);
      assert.equal(s.sum("fn_container_busy_total", ids(a)), 1);
      assert.equal(s.sum("fn_util_mem_used"), 64 * 1024 * 1024);
      assert.ok(s.sum("fn_util_mem_avail") > 0);
      assert.ok(s.sum("fn_docker_stats_mem_usage_sum", ids(a)) > 0);
      assert.equal((await running).status, 200);
    },
  );

  await t.step("timeouts, errors, crashes and cancels", async () => {
    const slow = await node.deploy({ image: images.slow, timeout: 1 });
    assert.equal((await call(node, slow.fnId, "3000")).status, 504);
    const crash = await node.deploy({ image: images.crash });
    assert.equal((await call(node, crash.fnId, "x")).status, 502);
    const token = crypto.randomUUID();
    const abort = new AbortController();
    const canceled = call(node, a.fnId, `${token}\nsleep 5000`, abort.signal).catch((e) => e);
    await logLine(node.fnd, new RegExp(`out: ${token}`));
    abort.abort();
    await canceled;
    const s = await scrapeUntil(
      node.url,
      (s) => s.sum("fn_canceled", ids(a)) === 1 && s.sum("fn_container_crashes", ids(crash)) === 1,
    );
    assert.equal(s.sum("fn_timeouts", ids(slow)), 1);
    assert.equal(s.sum("fn_errors", ids(crash)), 1);
    assert.equal(s.sum("fn_container_crashes", ids(crash)), 1);
    assert.equal(s.sum("fn_canceled", ids(a)), 1);
    assert.equal(s.sum("fn_running", ids(a)), 0);
    assert.equal(s.sum("fn_queued", ids(a)), 0);
    assert.equal(s.sum("fn_api_response_count", { status: "504", blame: "user" }), 1);
  });

  await t.step("idle timeouts", async () => {
    const brief = await node.deploy({ image: images.hello, idleTimeout: 1 });
    assert.equal((await call(node, brief.fnId, "x")).status, 200);
    await logLine(node.fnd, new RegExp(`container removed.*fn_id=${brief.fnId}.*idle timeout`));
    const s = await scrapeUntil(
      node.url,
      (s) => s.sum("fn_container_idle_timeouts", ids(brief)) === 1,
    );
    assert.equal(s.sum("fn_container_idle_timeouts", ids(brief)), 1);
    assert.equal(s.sum("fn_container_idle_total", ids(brief)), 0);
  });

  await t.step("image pulls and failed launches", async () => {
    await using registry = await registryWith(images["bb-misc"]);
    const pulled = await node.deploy({ image: registry.ref, config: { MODE: "exit" } });
    assert.equal((await call(node, pulled.fnId, "x")).status, 502);
    const s = await scrape(node.url);
    assert.equal(s.sum("fn_image_pulls", { result: "ok" }), 1);
    assert.equal(s.sum("fn_image_pull_latency_count", { result: "ok" }), 1);
    assert.equal(s.sum("fn_container_launches", { ...ids(pulled), result: "failed" }), 1);
  });

  await t.step("process metrics", async () => {
    const s = await scrape(node.url);
    assert.ok(s.sum("fn_process_resident_memory_bytes") > 10e6);
    assert.ok(
      s.sum("fn_process_cpu_seconds_total") > before.sum("fn_process_cpu_seconds_total"),
    );
    assert.ok(s.sum("fn_process_open_fds") > 0);
  });
});

Deno.test("full node with little capacity: /metrics counts server-busy calls and evictions", async () => {
  const images = await ensureTestImages();
  await using node = await startCallNode({
    FN_LOG_LEVEL: "debug",
    FN_MAX_TOTAL_MEMORY_BYTES: String(100 * 1024 * 1024),
    FN_ENABLE_NB_RESOURCE_TRACKER: "true",
  });
  const a = await node.deploy({ image: images.logger });
  const b = await node.deploy({ image: images.hello });
  const token = crypto.randomUUID();
  const running = call(node, a.fnId, `${token}\nsleep 1000`);
  await logLine(node.fnd, new RegExp(`out: ${token}`));
  // No room for b's container while a's is busy: a non-blocking agent answers 503.
  assert.equal((await call(node, b.fnId, "x")).status, 503);
  assert.equal((await running).status, 200);
  // Now a's container idles: b's launch evicts it.
  assert.equal((await call(node, b.fnId, "x")).status, 200);
  const s = await scrape(node.url);
  assert.equal(s.sum("fn_server_busy", { "fn_id": b.fnId }), 1);
  assert.equal(s.sum("fn_container_evictions", { "fn_id": a.fnId }), 1);
  assert.equal(s.sum("fn_completed", { "fn_id": b.fnId }), 1);
  assert.equal(
    s.sum("fn_api_response_count", { path: "/invoke/:fn_id", status: "503", blame: "service" }),
    1,
  );
  assert.equal(s.sum("fn_util_mem_used"), 64 * 1024 * 1024);
  assert.equal(s.sum("fn_util_mem_avail"), 36 * 1024 * 1024);
});
