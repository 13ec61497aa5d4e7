/**
 * Wire-level tests of the fnd LB (LbAgent + GrpcRunner + placers) against raw grpc-js
 * servers that behave like Fn's Go runner: what the LB sends (TryCall first, 10 KiB
 * frames, one empty EOF frame, never half-closing, the §1.3 call model), NACK
 * retries with the complete body, the commit rule, the trailing-protocol check and
 * how a failed CallFinished becomes the client's error.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { APIError } from "../src/models/api_error.ts";
import {
  bodyOf,
  type FakeEngage,
  nestedFieldNumbers,
  pattern,
  readAll,
  startFakeGoRunner,
  wireBytes,
} from "./_grpc_fakes.ts";
import { callRequest, echo, finished, lbOver, nack } from "./_lb_wire.ts";

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
