/**
 * Wire-level tests of the fnd LB (LbAgent + GrpcRunner + placers) against raw grpc-js
 * servers that behave like Fn's Go runner: what the LB sends (TryCall first, 10 KiB
 * frames, one empty EOF frame, never half-closing, the §1.3 call model), NACK
 * retries with the complete body, the commit rule, and the trailing-protocol check.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import client from "prom-client";
import type { CallRequest } from "../src/agent/call.ts";
import { createHandler } from "../src/api/handler.ts";
import { GrpcRunner, type GrpcRunnerOptions } from "../src/lb/grpc_runner.ts";
import { LbAgent } from "../src/lb/lb_agent.ts";
import { LbMetrics } from "../src/lb/lb_metrics.ts";
import { NaivePlacer } from "../src/lb/naive_placer.ts";
import type { PlacerConfig } from "../src/lb/placer.ts";
import type { Runner } from "../src/lb/runner.ts";
import type { RunnerAttempt } from "../src/lb/runner_attempt.ts";
import { StaticRunnerPool } from "../src/lb/static_runner_pool.ts";
import { APIError } from "../src/models/api_error.ts";
import type { RunnerMsg } from "../src/grpc/runner_messages.ts";
import {
  bodyOf,
  type FakeEngage,
  type FakeGoRunner,
  nestedFieldNumbers,
  pattern,
  quietLog,
  readAll,
  startFakeGoRunner,
  startSilenceableProxy,
  wireBytes,
} from "./_grpc_fakes.ts";
import { fixedLookup, routeContext } from "./_fake_agent.ts";

const at = new Date("2024-01-01T00:00:00Z");

function callRequest(body: Uint8Array | null, signal = new AbortController().signal): CallRequest {
  return {
    id: "01CALLID",
    app: {
      id: "APP1",
      name: "myapp",
      config: { APPCFG: "a" },
      annotations: { "x/y": 1 },
      createdAt: at,
      updatedAt: at,
    },
    fn: {
      id: "FN1",
      name: "myfn",
      appId: "APP1",
      image: "fnproject/hello:0.0.1",
      memoryMb: 128,
      timeoutSeconds: 30,
      idleTimeoutSeconds: 30,
      config: { FNCFG: "f" },
      annotations: {},
      createdAt: at,
      updatedAt: at,
    },
    triggerId: "",
    type: "sync",
    method: "POST",
    url: "http://127.0.0.1:8081/invoke/FN1",
    headers: new Headers({ "content-type": "application/json" }),
    body: body === null ? null : ReadableStream.from(chunks(body, 65536)),
    signal,
    createdAt: at,
  };
}

function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size);
}

interface Lb extends AsyncDisposable {
  readonly agent: LbAgent;
  readonly registry: client.Registry;
}

interface LbOptions {
  readonly responseHoldBytes?: number;
  readonly replayLimitBytes?: number;
  /** Runner connection settings beyond credentials and log. */
  readonly runner?: Omit<GrpcRunnerOptions, "credentials" | "log">;
  /** Wraps each runner (to watch attempts). */
  readonly wrap?: (runner: Runner<RunnerAttempt>) => Runner<RunnerAttempt>;
}

function lbOver(
  addresses: string[],
  config: Partial<PlacerConfig> = {},
  { runner: runnerOptions, wrap = (r) => r, ...options }: LbOptions = {},
): Lb {
  const registry = new client.Registry();
  const metrics = new LbMetrics(registry);
  const runners = addresses.map((a) =>
    wrap(
      new GrpcRunner(a, {
        credentials: grpc.credentials.createInsecure(),
        log: quietLog,
        ...runnerOptions,
      }),
    )
  );
  const pool = new StaticRunnerPool<RunnerAttempt>(runners);
  const placerConfig = {
    retryAllDelayMs: 10,
    placerTimeoutMs: 2000,
    detachedPlacerTimeoutMs: 2000,
    ...config,
  };
  const placer = new NaivePlacer(pool, metrics, placerConfig);
  const agent = new LbAgent({
    placer,
    pool,
    placerConfig,
    replayLimitBytes: 16 << 20,
    metrics,
    log: quietLog,
    ...options,
  });
  return { agent, registry, [Symbol.asyncDispose]: () => agent.close(1000) };
}

/** The LB node's HTTP handler over `agent`, with fn `FN1` of app `myapp`, trigger `/probe`. */
function lbHandler(agent: LbAgent): (req: Request) => Promise<Response> {
  const { config } = routeContext("http://lb/", {}, { agent }).services;
  return createHandler({ nodeType: "lb", config, agent, lookup: fixedLookup(), log: quietLog });
}

const finished = (extra: Record<string, unknown> = {}): RunnerMsg => ({
  finished: {
    success: true,
    details: "01CALLID",
    createdAt: "2024-01-01T00:00:00.000Z",
    executionDuration: 3_000_000,
    schedulerDuration: 1_000_000,
    ...extra,
  },
});

/** Answers like a Go runner: waits for EOF, echoes the body, finishes OK. */
async function echo(fake: FakeEngage): Promise<void> {
  await fake.eof;
  if (fake.cancelled) return;
  const body = bodyOf(fake.received);
  fake.call.write({
    resultStart: { http: { statusCode: 200, headers: [{ key: "Content-Type", value: "x/y" }] } },
  });
  for (let i = 0; i < body.byteLength; i += 10240) {
    fake.call.write({ data: { data: body.subarray(i, i + 10240), eof: false } });
  }
  fake.call.write(finished());
  fake.call.end();
}

const nack: RunnerMsg = finished({
  success: false,
  errorCode: 503,
  errorStr: "Timed out - server too busy",
  executionDuration: 0,
});

function deadAddress(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `127.0.0.1:${port}`;
}

Deno.test("LbAgent sends TryCall, 10240-byte frames, one empty EOF frame and never half-closes", async () => {
  await using runner = await startFakeGoRunner(echo);
  await using lb = lbOver([runner.address]);
  const body = pattern(25000);
  const res = await lb.agent.submit(callRequest(body));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "x/y");
  assert.deepEqual(await readAll(res.body), body);
  assert.equal((await res.done).status, "success");
  const fake = runner.streams[0]!;
  assert.equal(fake.received[0]!.body, "try");
  const frames = fake.received.slice(1).map((m) => (m.body === "data" ? m.data : undefined));
  assert.deepEqual(frames.map((f) => [f?.data.byteLength, f?.eof]), [
    [10240, false],
    [10240, false],
    [4520, false],
    [0, true],
  ]);
  assert.equal(fake.halfClosedEarly, false);
  // Byte for byte as Go's LB: TryCall has models_call_json only (no `12 00` slot hash),
  // body frames carry data only (no `10 00`), the EOF frame is `12 02 10 01`.
  const raw = fake.received.map(wireBytes);
  assert.deepEqual(nestedFieldNumbers(raw[0]!, 1), [1]);
  for (const frame of raw.slice(1, -1)) assert.deepEqual(nestedFieldNumbers(frame, 2), [1]);
  assert.deepEqual(raw[3]!.slice(0, 6), [0x12, 0xab, 0x23, 0x0a, 0xa8, 0x23]);
  assert.equal(raw[3]!.length, 6 + 4520);
  assert.deepEqual(raw.at(-1), [0x12, 0x02, 0x10, 0x01]);
});

Deno.test("LbAgent's models_call_json has Fn's keys in Fn's order", async () => {
  await using runner = await startFakeGoRunner(echo);
  await using lb = lbOver([runner.address]);
  const res = await lb.agent.submit(callRequest(null));
  await readAll(res.body);
  const first = runner.streams[0]!.received[0]!;
  assert.ok(first.body === "try");
  assert.equal(first.try.slotHashId, "");
  assert.deepEqual(first.try.extensions, {});
  const model = JSON.parse(first.try.modelsCallJson);
  assert.deepEqual(Object.keys(model), [
    "id",
    "status",
    "image",
    "type",
    "url",
    "method",
    "timeout",
    "idle_timeout",
    "memory",
    "config",
    "annotations",
    "headers",
    "completed_at",
    "created_at",
    "started_at",
    "app_id",
    "app_name",
    "trigger_id",
    "fn_id",
    "fn_name",
  ]);
  assert.equal(model.status, "running");
  assert.equal(model.type, "sync");
  assert.equal(model.completed_at, "0001-01-01T00:00:00.000Z");
  assert.match(model.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(model.config, {
    APPCFG: "a",
    FNCFG: "f",
    FN_APP_ID: "APP1",
    FN_FN_ID: "FN1",
    FN_MEMORY: "128",
    FN_TYPE: "sync",
  });
  assert.deepEqual(model.headers, { "Content-Type": ["application/json"] });
  assert.equal(model.trigger_id, "");
  // An empty body is one empty EOF frame.
  const frames = runner.streams[0]!.received.slice(1);
  assert.deepEqual(frames.map((m) => m.body === "data" && [m.data.data.byteLength, m.data.eof]), [
    [0, true],
  ]);
});

Deno.test("LbAgent replays the complete body exactly once on the next runner after a NACK", async () => {
  await using busy = await startFakeGoRunner(async (fake) => {
    await fake.eof; // a NACK after the whole body arrived
    fake.call.write(nack);
    fake.call.end();
  });
  await using ok = await startFakeGoRunner(echo);
  await using lb = lbOver([busy.address, ok.address]);
  const body = pattern(2 << 20, 7);
  const res = await lb.agent.submit(callRequest(body));
  assert.deepEqual(await readAll(res.body), body);
  assert.equal(busy.streams.length, 1);
  assert.equal(ok.streams.length, 1);
  assert.deepEqual(bodyOf(busy.streams[0]!.received), body);
  assert.deepEqual(bodyOf(ok.streams[0]!.received), body);
  assert.equal(ok.streams[0]!.received.filter((m) => m.body === "try").length, 1);
  const metrics = await lb.registry.getSingleMetricAsString("fn_lb_placer_retry_busy_count");
  assert.match(metrics, /fn_lb_placer_retry_busy_count 1/);
  // Fn's strict bucketing: 2 attempts appear first under le="3" (§6.1).
  const attempts = await lb.registry.getSingleMetricAsString("fn_lb_placer_attempt_count");
  assert.match(attempts, /^fn_lb_placer_attempt_count_bucket\{le="0"\} 0$/m);
  assert.match(attempts, /^fn_lb_placer_attempt_count_bucket\{le="2"\} 0$/m);
  assert.match(attempts, /^fn_lb_placer_attempt_count_bucket\{le="3"\} 1$/m);
  assert.match(attempts, /^fn_lb_placer_attempt_count_sum 2$/m);
});

Deno.test("LbAgent gives 503 and counts no placement when a NACKed body is too big to replay", async () => {
  await using busy = await startFakeGoRunner(async (fake) => {
    await fake.eof; // the whole body went out, then a NACK
    fake.call.write(nack);
    fake.call.end();
  });
  await using lb = lbOver([busy.address], {}, { replayLimitBytes: 1000 });
  await assert.rejects(
    lb.agent.submit(callRequest(pattern(50_000))),
    (e) => e instanceof APIError && e.status === 503 && e.message === "Timed out - server too busy",
  );
  assert.equal(busy.streams.length, 1);
  const text = await lb.registry.metrics();
  for (
    const line of [
      /^fn_lb_placer_placed_call_count 0$/m,
      /^fn_lb_placer_not_placed_call_count 1$/m,
      /^fn_lb_placer_placed_error_count 0$/m,
      /^fn_lb_placer_retry_busy_count 1$/m,
      /^fn_lb_placer_attempt_count_sum 1$/m,
      /^fn_lb_call_latency_count\{call_status="server_busy"\} 1$/m,
    ]
  ) assert.match(text, line);
});

Deno.test("LbAgent retries an immediate NACK and a status-form NACK", async (t) => {
  const forms: [string, (fake: FakeEngage) => void][] = [
    ["CallFinished 503", (fake) => {
      fake.call.write(nack);
      fake.call.end();
    }],
    ["status Timed out - server too busy", (fake) => {
      fake.call.emit("error", {
        code: grpc.status.UNKNOWN,
        details: "Timed out - server too busy",
      });
    }],
  ];
  for (const [name, answer] of forms) {
    await t.step(name, async () => {
      await using busy = await startFakeGoRunner(answer);
      await using ok = await startFakeGoRunner(echo);
      await using lb = lbOver([busy.address, ok.address]);
      const body = pattern(40000);
      const res = await lb.agent.submit(callRequest(body));
      assert.deepEqual(await readAll(res.body), body);
      assert.deepEqual(bodyOf(ok.streams[0]!.received), body);
    });
  }
});

Deno.test("LbAgent treats a message after CallFinished as Purerunner missing EOF response", async () => {
  await using runner = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    fake.call.write(finished());
    fake.call.write({ data: { data: new Uint8Array(3), eof: false } });
    fake.call.end();
  });
  await using lb = lbOver([runner.address]);
  await assert.rejects(
    lb.agent.submit(callRequest(pattern(10))),
    (e) => e instanceof Error && e.message === "Purerunner missing EOF response",
  );
});

Deno.test("LbAgent maps a failed CallFinished to the client's error", async (t) => {
  const cases: [Record<string, unknown>, number, string, string][] = [
    [
      { errorCode: 502, errorStr: "function failed", errorUser: true },
      502,
      "function failed",
      "user",
    ],
    [{ errorCode: 504, errorStr: "Timed out", errorUser: true }, 504, "Timed out", "user"],
    [{ errorCode: 0, errorStr: "bad json" }, 500, "bad json", "service"],
    [{ errorCode: 500, errorStr: "" }, 500, "Unknown Error From Pure Runner", "service"],
  ];
  for (const [fields, status, message, blame] of cases) {
    await t.step(`${fields.errorCode} ${JSON.stringify(fields.errorStr)}`, async () => {
      await using runner = await startFakeGoRunner(async (fake) => {
        await fake.eof;
        fake.call.write(finished({ success: false, ...fields }));
        fake.call.end();
      });
      await using lb = lbOver([runner.address]);
      await assert.rejects(
        lb.agent.submit(callRequest(null)),
        (e) =>
          e instanceof APIError && e.status === status && e.message === message &&
          e.blame === blame,
      );
      assert.equal(runner.streams.length, 1);
    });
  }
});

Deno.test("LbAgent skips a runner that is down and places on the next one", async () => {
  const dead = deadAddress();
  await using ok = await startFakeGoRunner(echo);
  await using lb = lbOver([dead, ok.address]);
  for (let i = 0; i < 3; i++) {
    const res = await lb.agent.submit(callRequest(pattern(100)));
    assert.equal(res.status, 200);
    await readAll(res.body);
  }
  assert.equal(ok.streams.length, 3);
});

Deno.test("LbAgent places on a runner again once it is back after being down", async () => {
  const first = await startFakeGoRunner(echo);
  const port = Number(first.address.slice(first.address.lastIndexOf(":") + 1));
  let sawDown!: () => void;
  const down = new Promise<void>((r) => sawDown = r);
  await using lb = lbOver([first.address], { placerTimeoutMs: 60_000 }, {
    wrap: (runner) => ({
      address: runner.address,
      tryExec: async (attempt, signal) => {
        const result = await runner.tryExec(attempt, signal);
        if (!result.placed) sawDown();
        return result;
      },
      status: (signal) => runner.status(signal),
      close: () => runner.close(),
    }),
  });
  const up = await lb.agent.submit(callRequest(pattern(10)));
  assert.deepEqual(await readAll(up.body), pattern(10));
  first.close();
  // The placer keeps trying the runner while it is down. A call that went out on the
  // dying connection before the LB noticed fails as committed: then try another.
  const body = pattern(30_000, 3);
  let pending = lb.agent.submit(callRequest(body));
  while (
    await Promise.race([down.then(() => true), pending.then(() => false, () => false)]) === false
  ) {
    pending = lb.agent.submit(callRequest(body));
  }
  await using again = await startFakeGoRunner(echo, port);
  const res = await pending;
  assert.deepEqual(await readAll(res.body), body);
  assert.equal(again.streams.length, 1);
  assert.deepEqual(bodyOf(again.streams[0]!.received), body);
});

Deno.test("LbAgent gives 500 internal server error when the runner dies after taking the call, and never retries", async () => {
  let dying: FakeGoRunner | undefined = undefined;
  dying = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    dying!.close(); // the runner process goes away mid-call
  });
  await using other = await startFakeGoRunner(echo);
  await using lb = lbOver([dying.address, other.address]);
  // Fn's LB answers any gRPC error with 500 (§1.6.8).
  await assert.rejects(
    lb.agent.submit(callRequest(pattern(100))),
    (e) => e instanceof APIError && e.status === 500 && e.message === "internal server error",
  );
  assert.equal(other.streams.length, 0);
});

Deno.test("LbAgent answers Fn's error status and JSON body when a Go runner fails after partial output", async (t) => {
  // A Go runner streams output, then fails the call (§1.6.3, §1.6.4); Fn's clients see
  // the failure's status (TestCanExecuteTooBigOutput / TestCanExecuteTriggerTooBigOutput).
  const cases: [string, number, string][] = [
    ["function response body too large", 502, "/invoke/FN1"],
    ["function response body too large", 502, "/t/myapp/probe"],
    ["Timed out", 504, "/invoke/FN1"],
  ];
  for (const [message, code, path] of cases) {
    await t.step(`${code} ${message} on ${path}`, async () => {
      await using runner = await startFakeGoRunner(async (fake) => {
        await fake.eof;
        fake.call.write({
          resultStart: {
            http: { statusCode: 200, headers: [{ key: "Content-Type", value: "x/y" }] },
          },
        });
        for (let i = 0; i < 3; i++) {
          fake.call.write({ data: { data: pattern(10240, i), eof: false } });
        }
        fake.call.write(
          finished({ success: false, errorCode: code, errorStr: message, errorUser: true }),
        );
        fake.call.end();
      });
      await using lb = lbOver([runner.address]);
      const res = await lbHandler(lb.agent)(
        new Request(`http://lb${path}`, { method: "POST", body: "x" }),
      );
      assert.equal(res.status, code);
      assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
      assert.equal(await res.text(), JSON.stringify({ message }) + "\n");
    });
  }
});

Deno.test("LbAgent streams an answer larger than its hold bound before the call ends", async () => {
  let headSeen!: () => void;
  const head = new Promise<void>((r) => headSeen = r);
  await using runner = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    fake.call.write({ resultStart: { http: { statusCode: 200, headers: [] } } });
    for (let i = 0; i < 7; i++) fake.call.write({ data: { data: pattern(10240, i), eof: false } });
    await head; // CallFinished only once the client has the head
    fake.call.write(finished());
    fake.call.end();
  });
  await using lb = lbOver([runner.address], {}, { responseHoldBytes: 64 << 10 });
  const res = await lb.agent.submit(callRequest(null));
  headSeen();
  assert.equal(res.status, 200);
  assert.equal((await readAll(res.body)).byteLength, 7 * 10240);
  assert.equal((await res.done).status, "success");
});

Deno.test("GrpcRunner with keepalive fails a committed call whose runner host went silent", async () => {
  let started!: () => void;
  const startedSeen = new Promise<void>((r) => started = r);
  await using runner = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    fake.call.write({ resultStart: { http: { statusCode: 200, headers: [] } } });
    started(); // committed; the host then vanishes without a reset
  });
  await using proxy = await startSilenceableProxy(runner.address);
  await using lb = lbOver([proxy.address], {}, {
    runner: { keepaliveMs: 100, keepaliveTimeoutMs: 100 },
  });
  const call = lb.agent.submit(callRequest(pattern(10)));
  await startedSeen;
  proxy.silence();
  // Without keepalive nothing would ever end this call (Fn's sync calls have no deadline).
  await assert.rejects(
    call,
    (e) => e instanceof APIError && e.status === 500 && e.message === "internal server error",
  );
  assert.equal(runner.streams.length, 1);
});

Deno.test("LbAgent cancels the runner's stream when the client goes away", async (t) => {
  // Before the head (held while the body is small) and while the body streams.
  for (const streamed of [0, 3 * 10240]) {
    await t.step(`after ${streamed} bytes of output`, async () => {
      let cancelled!: () => void;
      const cancelSeen = new Promise<void>((r) => cancelled = r);
      let started!: () => void;
      const startedSeen = new Promise<void>((r) => started = r);
      await using runner = await startFakeGoRunner(async (fake) => {
        fake.call.on("cancelled", () => cancelled());
        await fake.eof;
        fake.call.write({ resultStart: { http: { statusCode: 200, headers: [] } } });
        for (let i = 0; i < streamed; i += 10240) {
          fake.call.write({ data: { data: pattern(10240, i), eof: false } });
        }
        started();
      });
      await using lb = lbOver([runner.address], {}, { responseHoldBytes: 10240 });
      const controller = new AbortController();
      const submitted = lb.agent.submit(callRequest(null, controller.signal));
      await startedSeen;
      const res = streamed > 0 ? await submitted : undefined;
      controller.abort(new DOMException("client left", "AbortError"));
      await cancelSeen;
      if (res === undefined) await assert.rejects(submitted);
      else {
        await assert.rejects(readAll(res.body));
        assert.equal((await res.done).status, "canceled");
      }
      assert.match(
        await lb.registry.metrics(),
        /fn_lb_call_latency_count\{call_status="canceled"\} 1/,
      );
    });
  }
});

Deno.test("LbAgent gives up with 503 and Retry-After when every runner stays busy", async () => {
  await using busy = await startFakeGoRunner((fake) => {
    fake.call.write(nack);
    fake.call.end();
  });
  await using lb = lbOver([busy.address], { placerTimeoutMs: 150 });
  await assert.rejects(
    lb.agent.submit(callRequest(pattern(20))),
    (e) => e instanceof APIError && e.status === 503 && e.retryAfterSeconds === 15,
  );
  assert.ok(busy.streams.length > 1);
  const text = await lb.registry.metrics();
  assert.match(text, /fn_lb_placer_timeout_count 1/);
  assert.match(text, /fn_lb_call_latency_count\{call_status="server_busy"\} 1/);
});

Deno.test("LbAgent records placer and call metrics", async () => {
  await using runner = await startFakeGoRunner(echo);
  await using lb = lbOver([runner.address]);
  const res = await lb.agent.submit(callRequest(pattern(10)));
  await readAll(res.body);
  await res.done;
  const text = await lb.registry.metrics();
  for (
    const line of [
      /fn_lb_placer_placed_ok_count 1/,
      /fn_lb_placer_placed_call_count 1/,
      /fn_lb_placer_attempt_count_count 1/,
      /fn_lb_placer_latency_count 1/,
      /fn_lb_runner_exec_latency_sum 3/,
      /fn_lb_runner_sched_latency_sum 1/,
      /fn_lb_call_latency_count\{call_status="completed"\} 1/,
    ]
  ) assert.match(text, line);
});

Deno.test("LbAgent answers a detached call at the runner's 202 and sends a deadline", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  let deadline: grpc.Deadline | undefined;
  await using runner = await startFakeGoRunner(async (fake) => {
    deadline = fake.call.getDeadline();
    await fake.eof;
    fake.call.write({ resultStart: { http: { statusCode: 202, headers: [] } } });
    await released;
    fake.call.write(finished());
    fake.call.end();
  });
  await using lb = lbOver([runner.address]);
  const call = { ...callRequest(pattern(10)), type: "detached" as const };
  const res = await lb.agent.submit(call);
  assert.equal(res.status, 202);
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  assert.ok(Number.isFinite(deadlineMs), `grpc-timeout expected, deadline ${deadline}`);
  const model = JSON.parse(
    (runner.streams[0]!.received[0] as { try: { modelsCallJson: string } }).try.modelsCallJson,
  );
  assert.equal(model.type, "detached");
  release();
  assert.deepEqual(await readAll(res.body), new Uint8Array(0));
  assert.equal((await res.done).status, "success");
});

Deno.test("LbAgent.close() cancels calls after the grace period without counting client cancels", async () => {
  let started!: () => void;
  const startedSeen = new Promise<void>((r) => started = r);
  await using runner = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    started(); // takes the call and never answers
  });
  const lb = lbOver([runner.address]);
  const running = lb.agent.submit(callRequest(pattern(10)));
  await startedSeen;
  await lb.agent.close(0);
  await assert.rejects(running, (e) => e instanceof APIError && e.status === 503);
  const text = await lb.registry.metrics();
  assert.match(text, /^fn_lb_placer_client_cancelled_count 0$/m);
  assert.match(text, /^fn_lb_placer_placed_abort_count 0$/m);
  assert.match(text, /^fn_lb_placer_placed_error_count 1$/m);
  assert.match(text, /^fn_lb_call_latency_count\{call_status="server_busy"\} 1$/m);
});

Deno.test("LbAgent.close() refuses new calls with 503 and lets running ones finish", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  let started!: () => void;
  const startedSeen = new Promise<void>((r) => started = r);
  await using runner = await startFakeGoRunner(async (fake) => {
    await fake.eof;
    started();
    await released;
    await echo(fake);
  });
  const lb = lbOver([runner.address]);
  const running = lb.agent.submit(callRequest(pattern(10)));
  await startedSeen;
  const closing = lb.agent.close(5000);
  await assert.rejects(
    lb.agent.submit(callRequest(null)),
    (e) => e instanceof APIError && e.status === 503,
  );
  release();
  const res = await running;
  assert.deepEqual(await readAll(res.body), pattern(10));
  await closing;
});
