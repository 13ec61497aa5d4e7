/**
 * The scale-out topology end to end, as real processes on loopback with real Docker:
 * a full node (serving the v2 API the LBs read through FN_RUNNER_API_URL, and the
 * reference answers), two pure runners (256 MiB each, runner A with a status image)
 * and two LBs (naive and ch) over both runners, calling node FDK test images. The NACK
 * step adds two LBs of its own, to fill one runner and to meet it first.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import type { RunnerStatus } from "../src/grpc/runner_messages.ts";
import { newRunnerClient, type RunnerProtocolClient } from "../src/grpc/runner_proto.ts";
import { jsonToStruct } from "../src/grpc/struct_json.ts";
import { ensureTestImages } from "./_images.ts";
import { type FndProcess, startFnd } from "./_server.ts";

const RUN = crypto.randomUUID().slice(0, 8);

type Runner = FndProcess & { readonly grpcAddress: string; readonly tag: string };

async function startRunner(name: string, env: Record<string, string> = {}): Promise<Runner> {
  const tag = `fnd-e2e-${RUN}-${name}`;
  const fnd = await startFnd({
    env: {
      FN_NODE_TYPE: "pure-runner",
      FN_GRPC_PORT: "0",
      FN_CONTAINER_LABEL_TAG: tag,
      FN_MAX_TOTAL_MEMORY_BYTES: String(256 << 20),
      FN_LOG_LEVEL: "debug",
      ...env,
    },
  });
  const line = await fnd.waitForLog(/pure runner listening/);
  const port = Number(/grpc_port=(\d+)/.exec(line)?.[1]);
  return Object.assign(fnd, { grpcAddress: `127.0.0.1:${port}`, tag });
}

/** A pattern that matches only from its `n`-th matching line on (counts as it is tested). */
class NthMatch extends RegExp {
  #seen = 0;
  readonly #n: number;
  constructor(pattern: RegExp, n: number) {
    super(pattern.source, pattern.flags);
    this.#n = n;
  }
  override test(line: string): boolean {
    if (!super.test(line)) return false;
    return ++this.#seen >= this.#n;
  }
}

const STARTED = /DEBUG call started/;
const countLines = (p: FndProcess, re: RegExp) =>
  p.stderr().split("\n").filter((l) => re.test(l)).length;

/** Resolves when `p` logged `more` further lines matching `re`. */
function moreLines(p: FndProcess, re: RegExp, more: number): Promise<string> {
  return p.waitForLog(new NthMatch(re, countLines(p, re) + more));
}

async function metric(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n").filter((l) => pattern.test(l))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

const completed = (r: Runner) => metric(r.url, /^fn_runner_engage_count\{outcome="completed"\}/);

async function post(url: string, body: string, signal?: AbortSignal) {
  const res = await fetch(url, { method: "POST", body, signal });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function create(base: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${base}/v2/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}

async function containerTags(fnId: string): Promise<string[]> {
  const out = await new Deno.Command("docker", {
    args: ["ps", "--filter", `label=fnd.fn_id=${fnId}`, "--format", '{{.Label "fnd.classifier"}}'],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

async function removeContainers(tag: string): Promise<void> {
  const ids = await new Deno.Command("docker", {
    args: ["ps", "-aq", "--filter", `label=fnd.classifier=${tag}`],
    stdout: "piped",
  }).output();
  const list = new TextDecoder().decode(ids.stdout).split("\n").filter((l) => l !== "");
  if (list.length > 0) {
    await new Deno.Command("docker", { args: ["rm", "-f", ...list], stdout: "null" }).output();
  }
}

/**
 * One status client per runner for the whole test, closed only after the runners
 * stopped: a client that closes its connection sends GOAWAY, and a Deno 2.9.6 process
 * receiving it can abort inside nghttp2 (denoland/deno#36788; README, known issues).
 */
class StatusClients implements Disposable {
  readonly #clients = new Map<string, RunnerProtocolClient>();

  status2(address: string, json: Record<string, string>): Promise<Required<RunnerStatus>> {
    let c = this.#clients.get(address);
    if (c === undefined) {
      c = newRunnerClient(address, grpc.credentials.createInsecure());
      this.#clients.set(address, c);
    }
    const client = c;
    return new Promise((resolve, reject) =>
      client.status2(jsonToStruct(json), new grpc.Metadata(), {}, (e, v) => {
        return e ? reject(e) : resolve(v!);
      })
    );
  }

  [Symbol.dispose](): void {
    for (const c of this.#clients.values()) c.close();
  }
}

/** Settles `promise`, failing the test if that takes longer than `ms` (a hung client). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("LB + 2 pure runners serve functions like a full node", async (t) => {
  const images = await ensureTestImages();
  const tags: string[] = [`fnd-e2e-${RUN}-full`];
  const logs: [string, FndProcess][] = [];
  try {
    // Declared first, so it is disposed last: after every runner stopped.
    using statuses = new StatusClients();
    await using full = await startFnd({
      env: { FN_NODE_TYPE: "full", FN_CONTAINER_LABEL_TAG: tags[0]! },
    });
    await using a = await startRunner("a", { FN_STATUS_IMAGE: images.hello });
    await using b = await startRunner("b");
    tags.push(a.tag, b.tag);
    const lbEnv = {
      FN_NODE_TYPE: "lb",
      FN_RUNNER_API_URL: full.url,
      FN_RUNNER_ADDRESSES: `${a.grpcAddress},${b.grpcAddress}`,
    };
    await using lb = await startFnd({ env: lbEnv });
    await using lbCh = await startFnd({ env: { ...lbEnv, FN_PLACER: "ch" } });
    logs.push(["full", full], ["a", a], ["b", b], ["lb", lb], ["lb-ch", lbCh]);

    const app = await create(full.url, "apps", { name: `e2e-${RUN}` });
    const fn = async (name: string, image: string) =>
      (await create(full.url, "fns", { app_id: app.id, name, image })).id;
    const echo = await fn("echo", images.echo);
    const echoCh = await fn("echo-ch", images.echo);
    const echoBig = await fn("echo-big", images.echo);
    const slow = await fn("slow", images.slow);
    const statusFn = await fn("status-image", images.hello);
    await create(full.url, "triggers", {
      app_id: app.id,
      fn_id: echo,
      name: "t",
      type: "http",
      source: "/echo",
    });

    await t.step("calls succeed through both placers with a full node's answers", async () => {
      const reference = await post(`${full.url}/invoke/${echo}`, "hi");
      const refTrigger = await post(`${full.url}/t/e2e-${RUN}/echo`, "hi");
      for (const node of [lb, lbCh]) {
        for (let i = 0; i < 2; i++) {
          const res = await post(`${node.url}/invoke/${echo}`, "hi");
          assert.equal(res.status, reference.status, res.text);
          assert.equal(res.headers.get("content-type"), reference.headers.get("content-type"));
          assert.equal(res.headers.get("fn-fdk-version"), reference.headers.get("fn-fdk-version"));
          assert.ok(res.headers.get("fn-call-id"));
          const body = JSON.parse(res.text);
          assert.equal(body.body, "hi");
          assert.equal(body.method, JSON.parse(reference.text).method);
          assert.equal(body.callId, res.headers.get("fn-call-id"));
          const trig = await post(`${node.url}/t/e2e-${RUN}/echo`, "hi");
          assert.equal(trig.status, refTrigger.status);
          assert.equal(JSON.parse(trig.text).body, "hi");
        }
      }
      const missing = await post(`${lb.url}/invoke/NOPE`, "");
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.text).message, "Fn not found");
    });

    await t.step("ch keeps one function on one runner", async () => {
      for (let i = 0; i < 4; i++) {
        assert.equal((await post(`${lbCh.url}/invoke/${echoCh}`, `n${i}`)).status, 200);
      }
      const where = new Set(await containerTags(echoCh));
      assert.equal(where.size, 1, [...where].join());
    });

    await t.step("status with and without a status image", async () => {
      const first = await statuses.status2(a.grpcAddress, { name: "fnd" });
      assert.equal(first.failed, false, JSON.stringify(first));
      assert.equal(first.details, "Hello fnd");
      assert.notEqual(first.id, "");
      const again = await statuses.status2(a.grpcAddress, { name: "fnd" });
      assert.equal(again.id, first.id);
      assert.equal(again.cached, true);
      const plain = await statuses.status2(b.grpcAddress, { name: "fnd" });
      assert.deepEqual([plain.id, plain.details, plain.failed], ["", "", false]);
      assert.ok(plain.requestsReceived > 0);
      assert.ok(await metric(a.url, /^fn_status_call\{/) >= 2);
      // The status image cannot be invoked on the runner that uses it.
      const answers = [
        await post(`${lb.url}/invoke/${statusFn}`, "x"),
        await post(`${lb.url}/invoke/${statusFn}`, "x"),
      ];
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400]);
      const refused = answers.find((r) => r.status === 400)!;
      assert.equal(JSON.parse(refused.text).message, "Invalid Fn image");
    });

    await t.step("metrics are served and move", async () => {
      const placed = await metric(lb.url, /^fn_lb_placer_placed_call_count /);
      const latency = await metric(lb.url, /^fn_lb_call_latency_count\{call_status="completed"\}/);
      assert.ok(placed > 0);
      assert.equal((await post(`${lb.url}/invoke/${echo}`, "m")).status, 200);
      assert.equal(await metric(lb.url, /^fn_lb_placer_placed_call_count /), placed + 1);
      assert.equal(
        await metric(lb.url, /^fn_lb_call_latency_count\{call_status="completed"\}/),
        latency + 1,
      );
      assert.ok(await metric(lb.url, /^fn_lb_placer_latency_count /) > 0);
      assert.ok(await metric(lb.url, /^fn_lb_placer_attempt_count_count /) > 0);
      assert.ok(await metric(b.url, /^fn_runner_engage_count\{/) > 0);
    });

    await t.step("a client cancel reaches the runner", async () => {
      const cancelledBefore = await metric(lb.url, /^fn_lb_placer_client_cancelled_count /);
      const started = Promise.race([moreLines(a, STARTED, 1), moreLines(b, STARTED, 1)]);
      const controller = new AbortController();
      const call = post(`${lb.url}/invoke/${slow}`, "20000", controller.signal).catch((e) => e);
      await within(30_000, started);
      const cancelSeen = Promise.race([
        moreLines(a, /the LB cancelled the call/, 1),
        moreLines(b, /the LB cancelled the call/, 1),
      ]);
      controller.abort();
      assert.ok((await call) instanceof Error);
      await within(10_000, cancelSeen);
      assert.equal(
        await metric(lb.url, /^fn_lb_placer_client_cancelled_count /),
        cancelledBefore + 1,
      );
    });

    await t.step(
      "a full runner NACKs and the other runs the 5 MiB body once, completely",
      async () => {
        // Only runner B is filled, through an LB that knows only B. A fresh naive LB that
        // lists B first places its first call on B, which is full and NACKs; A must then
        // run it once with the whole body.
        await using lbB = await startFnd({ env: { ...lbEnv, FN_RUNNER_ADDRESSES: b.grpcAddress } });
        await using lbBA = await startFnd({
          env: { ...lbEnv, FN_RUNNER_ADDRESSES: `${b.grpcAddress},${a.grpcAddress}` },
        });
        logs.push(["lb-b", lbB], ["lb-ba", lbBA]);
        const startedB = moreLines(b, STARTED, 2);
        // Two 3 s calls fill B (two 128 MB containers in 256 MiB).
        const sleepers = Array.from({ length: 2 }, () => post(`${lbB.url}/invoke/${slow}`, "3000"));
        await within(30_000, startedB);
        const bigStarted = new RegExp(`DEBUG call started.*fn_id=${echoBig}`);
        const [aBefore, bBefore] = [await completed(a), await completed(b)];
        const nacks = (r: Runner) => metric(r.url, /^fn_runner_engage_count\{outcome="nack"\}/);
        const nacksBefore = await nacks(b);
        const big = "0123456789abcdef".repeat(5 * 65536);
        const res = await within(60_000, post(`${lbBA.url}/invoke/${echoBig}`, big));
        assert.equal(res.status, 200, res.text.slice(0, 200));
        assert.equal(JSON.parse(res.text).body, big);
        assert.equal(await metric(lbBA.url, /^fn_lb_placer_retry_busy_count /), 1);
        assert.equal(await metric(lbBA.url, /^fn_lb_placer_placed_ok_count /), 1);
        assert.equal(await nacks(b), nacksBefore + 1);
        assert.equal(countLines(a, bigStarted), 1);
        assert.equal(countLines(b, bigStarted), 0);
        assert.equal(await completed(a), aBefore + 1);
        for (const s of await Promise.all(sleepers)) assert.equal(s.status, 200, s.text);
        assert.equal(await completed(b), bBefore + 2);
      },
    );

    await t.step(
      "a runner killed under load: committed calls fail, nothing runs twice",
      async () => {
        const onA = countLines(a, STARTED);
        const onB = countLines(b, STARTED);
        const bBefore = await completed(b);
        // Four 5 s calls fill both runners; once all four run, runner A dies.
        const calls = Array.from({ length: 4 }, () => post(`${lb.url}/invoke/${slow}`, "5000"));
        const allStarted = Promise.race([
          Promise.all([moreLines(a, STARTED, 1), moreLines(b, STARTED, 3)]),
          Promise.all([moreLines(a, STARTED, 2), moreLines(b, STARTED, 2)]),
          Promise.all([moreLines(a, STARTED, 3), moreLines(b, STARTED, 1)]),
        ]);
        await within(30_000, allStarted);
        const runningOnA = countLines(a, STARTED) - onA;
        assert.equal(runningOnA + countLines(b, STARTED) - onB, 4);
        a.kill("SIGKILL");
        const answers = await within(30_000, Promise.all(calls));
        // Fn's LB answers a lost runner with 500 internal server error (§1.6.8).
        const failed = answers.filter((r) =>
          r.status === 500 && JSON.parse(r.text).message === "internal server error"
        ).length;
        const ok = answers.filter((r) =>
          r.status === 200
        ).length;
        assert.deepEqual(
          [failed, ok],
          [runningOnA, 4 - runningOnA],
          answers.map((r) => r.text).join(),
        );
        for (let i = 0; i < 3; i++) {
          const res = await within(30_000, post(`${lb.url}/invoke/${echo}`, `after${i}`));
          assert.equal(res.status, 200, res.text);
        }
        assert.equal(await completed(b), bBefore + (4 - runningOnA) + 3);
      },
    );
  } finally {
    await dumpLogs(logs);
    for (const tag of tags) await removeContainers(tag);
  }
});

/** With `FND_E2E_LOGS=<dir>`, keeps every process's log there for a post-mortem. */
async function dumpLogs(logs: [string, FndProcess][]): Promise<void> {
  const dir = Deno.env.get("FND_E2E_LOGS");
  if (!dir) return;
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, p] of logs) await Deno.writeTextFile(`${dir}/${name}.log`, p.stderr());
}
