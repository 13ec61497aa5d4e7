/**
 * `Status`, `Status2`, `ConfigureRunner` and `StreamLogs` of the fnd pure runner,
 * called with raw grpc-js as Fn's Go tools would.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import type { RunnerStatus } from "../src/grpc/runner_messages.ts";
import { jsonToStruct } from "../src/grpc/struct_json.ts";
import { APIError } from "../src/models/api_error.ts";
import { outcome, rawClient, ScriptAgent, startTestRunner } from "./_grpc_fakes.ts";
import type { RunnerProtocolClient } from "../src/grpc/runner_proto.ts";

function status2(c: RunnerProtocolClient, json: Record<string, string> = {}) {
  return new Promise<Required<RunnerStatus>>((resolve, reject) =>
    c.status2(jsonToStruct(json), new grpc.Metadata(), {}, (e, v) => (e ? reject(e) : resolve(v!)))
  );
}

function status(c: RunnerProtocolClient) {
  return new Promise<Required<RunnerStatus>>((resolve, reject) =>
    c.status({}, new grpc.Metadata(), {}, (e, v) => (e ? reject(e) : resolve(v!)))
  );
}

/** A status image that echoes its JSON input, like fn-status-checker. */
function statusAgent() {
  return new ScriptAgent(async (call, body) => {
    const bytes = await body;
    call.onStart?.();
    return {
      status: 200,
      headers: new Headers({ "content-type": "application/json" }),
      body: ReadableStream.from([bytes]),
      done: Promise.resolve(outcome()),
    };
  });
}

Deno.test("Status() without a status image gives the live counters only", async () => {
  await using runner = await startTestRunner(new ScriptAgent(() => new Promise(() => {})));
  using c = rawClient(runner.address);
  const s = await status(c);
  assert.deepEqual(
    [s.active, s.requestsReceived, s.requestsHandled, s.failed, s.cached, s.id, s.details],
    [0, 0, 0, false, false, "", ""],
  );
  const s2 = await status2(c, { a: "b" });
  assert.equal(s2.details, "");
});

Deno.test("Status2() runs the status image with the request as its body", async () => {
  const agent = statusAgent();
  await using runner = await startTestRunner(agent, { statusImage: "fnd-test/status:1" });
  using c = rawClient(runner.address);
  const input = { "fake-member-1": "fake-value-1", "fake-member-2": "fake-value-2" };
  const s = await status2(c, input);
  assert.deepEqual(JSON.parse(s.details), input);
  assert.equal(s.failed, false);
  assert.equal(s.cached, false);
  assert.notEqual(s.id, "");
  const call = agent.calls[0]!;
  assert.equal(call.fn.image, "fnd-test/status:1");
  assert.equal(call.fn.memoryMb, 0);
  assert.equal(call.fn.timeoutSeconds, 5);
  assert.equal(call.fn.idleTimeoutSeconds, 1);
  assert.equal(call.method, "GET");
  assert.equal(call.type, "sync");
});

Deno.test("Status() runs once for concurrent callers and caches the answer", async () => {
  const agent = statusAgent();
  await using runner = await startTestRunner(agent, { statusImage: "fnd-test/status:1" });
  using c = rawClient(runner.address);
  const answers = await Promise.all(Array.from({ length: 10 }, () => status(c)));
  assert.equal(agent.calls.length, 1);
  assert.equal(new Set(answers.map((a) => a.id)).size, 1);
  assert.equal(answers.filter((a) => !a.cached).length, 1);
  assert.deepEqual(JSON.parse(answers[0]!.details), {});
  const again = await status(c);
  assert.equal(again.cached, true);
  assert.equal(again.id, answers[0]!.id);
  const metrics = await runner.registry.getSingleMetricAsString("fn_status_call");
  assert.match(metrics, /fn_status_call\{cached="true",network="true",success="true"\} 10/);
});

Deno.test("Status() runs again once the cache expired", async () => {
  const agent = statusAgent();
  await using runner = await startTestRunner(agent, { statusImage: "fnd-test/status:1" });
  using c = rawClient(runner.address);
  const first = await status(c);
  const { default: FakeTimers } = await import("@sinonjs/fake-timers");
  const clock = FakeTimers.install({ toFake: ["Date"], now: Date.now() + 1600 });
  try {
    const second = await status(c);
    assert.notEqual(second.id, first.id);
    assert.equal(second.cached, false);
    assert.equal(agent.calls.length, 2);
  } finally {
    clock.uninstall();
  }
});

Deno.test("Status() reports a failing status image", async (t) => {
  await t.step("submit error", async () => {
    const agent = new ScriptAgent(() => Promise.reject(new APIError(502, "function failed")));
    await using runner = await startTestRunner(agent, { statusImage: "x" });
    using c = rawClient(runner.address);
    const s = await status(c);
    assert.deepEqual([s.failed, s.errorCode, s.errorStr], [true, 502, "function failed"]);
  });
  await t.step("status >= 400", async () => {
    const agent = new ScriptAgent(async (call, body) => {
      await body;
      call.onStart?.();
      return {
        status: 530,
        headers: new Headers(),
        body: ReadableStream.from([new TextEncoder().encode("bad")]),
        done: Promise.resolve(outcome()),
      };
    });
    await using runner = await startTestRunner(agent, { statusImage: "x" });
    using c = rawClient(runner.address);
    const s = await status(c);
    assert.deepEqual([s.failed, s.errorCode, s.details], [true, 530, "bad"]);
  });
});

Deno.test("ConfigureRunner() stores the map it is given", async () => {
  await using runner = await startTestRunner(new ScriptAgent(() => new Promise(() => {})));
  using c = rawClient(runner.address);
  await new Promise<void>((resolve, reject) =>
    c.configureRunner(
      { config: { domain: "unix", company: "fn" } },
      new grpc.Metadata(),
      {},
      (e) => (e ? reject(e) : resolve()),
    )
  );
  assert.deepEqual(runner.runner.configuration, { domain: "unix", company: "fn" });
});

Deno.test("StreamLogs() fails with runner not configured with logStreamer", async () => {
  await using runner = await startTestRunner(new ScriptAgent(() => new Promise(() => {})));
  using c = rawClient(runner.address);
  const stream = c.streamLogs();
  stream.on("data", () => {});
  stream.on("error", () => {});
  stream.write({ start: { config: {} } });
  const st = await new Promise<grpc.StatusObject>((r) => stream.on("status", r));
  assert.equal(st.code, grpc.status.UNKNOWN);
  assert.equal(st.details, "runner not configured with logStreamer");
});
