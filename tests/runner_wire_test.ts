/**
 * Wire-level tests of the fnd pure runner against a client that behaves like Fn's Go
 * LB (raw grpc-js, no fnd LB code): TryCall, 10 KiB frames, one empty EOF frame,
 * never half-closing. The runner wraps a scripted agent, so only the protocol is
 * under test here; `lb_runner_e2e_test.ts` runs the real agent and Docker.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import type { CallOutcome, CallRequest, CallResponse } from "../src/agent/call.ts";
import { buildCallModel } from "../src/grpc/call_model.ts";
import { at, callRequest } from "./_lb_wire.ts";
import type { DecodedRunnerMsg } from "../src/grpc/runner_messages.ts";
import { APIError, serverTooBusy } from "../src/models/api_error.ts";
import {
  echoScript,
  engage,
  goFrames,
  nestedFieldNumbers,
  outcome,
  pattern,
  rawClient,
  ScriptAgent,
  startTestRunner,
  type TestRunner,
  wireBytes,
} from "./_grpc_fakes.ts";

/** A TryCall for the LB wire tests' call (`_lb_wire.ts`), with `extra` model fields. */
function tryCall(extra: Record<string, unknown> = {}) {
  const model = buildCallModel(callRequest(null), at);
  return {
    try: { modelsCallJson: JSON.stringify({ ...model, ...extra }), slotHashId: "", extensions: {} },
  };
}

function kinds(messages: DecodedRunnerMsg[]): string[] {
  return messages.map((m) => m.body ?? "none");
}

function finishedOf(messages: DecodedRunnerMsg[]) {
  const last = messages.at(-1);
  assert.equal(last?.body, "finished");
  return last.finished;
}

/** Sends one small call; the runner must end it OK with a failed `CallFinished`. */
async function assertFailedCall(
  runner: TestRunner,
  [code, text, user]: [number, string, boolean],
): Promise<void> {
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall(), ...goFrames(pattern(10))]);
  assert.equal(res.status.code, grpc.status.OK);
  const f = finishedOf(res.messages);
  assert.deepEqual([f.success, f.errorCode, f.errorStr, f.errorUser], [false, code, text, user]);
}

Deno.test("runner Engage answers result_start, ≤10240-byte frames, finished, then OK", async () => {
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const body = pattern(25000);
  const res = await engage(c, [tryCall(), ...goFrames(body)]);
  assert.equal(res.status.code, grpc.status.OK);
  const k = kinds(res.messages);
  assert.equal(k[0], "resultStart");
  assert.equal(k.at(-1), "finished");
  assert.ok(k.slice(1, -1).every((x) => x === "data"));
  const frames = res.messages.flatMap((m) => (m.body === "data" ? [m.data] : []));
  assert.ok(frames.every((f) => f.data.byteLength <= 10240 && f.eof === false));
  assert.deepEqual(frames.map((f) => f.data.byteLength), [10240, 10240, 4520]);
  // Byte for byte as Go's runner: data frames carry data only (no `10 00` for eof=false);
  // result_start is field 100 of CallResultStart.
  for (const m of res.messages.filter((m) => m.body === "data")) {
    assert.deepEqual(nestedFieldNumbers(wireBytes(m), 2), [1]);
  }
  assert.deepEqual(nestedFieldNumbers(wireBytes(res.messages[0]!), 1), [100]);
  const echoed = new Uint8Array(frames.flatMap((f) => [...f.data]));
  assert.deepEqual(echoed, body);
  const start = res.messages[0]!;
  assert.ok(start.body === "resultStart");
  assert.equal(start.resultStart.http?.statusCode, 200);
  const keys = start.resultStart.http?.headers.map((h) => h.key);
  assert.ok(keys?.includes("Content-Type") && keys.includes("Fn-Fdk-Version"), String(keys));
  const f = finishedOf(res.messages);
  assert.equal(f.success, true);
  assert.equal(f.details, "01CALLID");
  assert.equal(f.image, "fnproject/hello:0.0.1");
  assert.match(f.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(f.executionDuration, 2_000_000);
  const call = agent.calls[0]!;
  assert.equal(call.fn.image, "fnproject/hello:0.0.1");
  assert.equal(call.fn.memoryMb, 128);
  assert.equal(call.fn.config["FNCFG"], "f");
  assert.equal(call.fn.config["APPCFG"], "a");
  assert.equal(call.fn.config["FN_APP_ID"], "APP1");
  assert.equal(call.method, "POST");
  assert.equal(call.url, "http://127.0.0.1:8081/invoke/FN1");
  assert.equal(call.headers.get("content-type"), "application/json");
  assert.deepEqual(runner.runner.counters, { active: 0, requestsReceived: 1, requestsHandled: 1 });
  assert.match(
    await runner.registry.metrics(),
    /fn_runner_engage_count\{outcome="completed"\} 1/,
  );
});

Deno.test("runner Engage reports the launch of the container the call started", async (t) => {
  const launched = (launch?: CallOutcome["launch"]) =>
    new ScriptAgent((call, body) =>
      echoScript(call, body).then((res) => ({
        ...res,
        done: Promise.resolve(outcome(launch ? { launch } : {})),
      }))
    );
  await t.step("a call that launched its container carries pull, create and init", async () => {
    await using runner = await startTestRunner(
      launched({ imagePullMs: 1.5, createMs: 40, initMs: 60.25 }),
    );
    using c = rawClient(runner.address);
    const f = finishedOf((await engage(c, [tryCall(), ...goFrames(pattern(10))])).messages);
    assert.equal(f.imagePullWaitDuration, 1_500_000);
    assert.equal(f.ctrCreateDuration, 40_000_000);
    assert.equal(f.initStartTime, 60_250_000);
  });
  await t.step("a call on a hot container leaves them at 0 (off the wire)", async () => {
    await using runner = await startTestRunner(launched());
    using c = rawClient(runner.address);
    const res = await engage(c, [tryCall(), ...goFrames(pattern(10))]);
    const f = finishedOf(res.messages);
    assert.equal(f.imagePullWaitDuration, 0);
    assert.equal(f.ctrCreateDuration, 0);
    assert.equal(f.initStartTime, 0);
    // Field numbers 12, 14 and 15 of CallFinished are absent, as Go leaves zeros out.
    const fields = nestedFieldNumbers(wireBytes(res.messages.at(-1)!), 3);
    assert.ok(fields.includes(1) && fields.includes(9), `success and executionDuration: ${fields}`);
    assert.ok(![12, 14, 15].some((n) => fields.includes(n)), String(fields));
  });
});

Deno.test("runner Engage NACKs a full agent before any output", async () => {
  const agent = new ScriptAgent(() => Promise.reject(serverTooBusy()));
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall(), ...goFrames(pattern(30000))]);
  assert.equal(res.status.code, grpc.status.OK);
  assert.deepEqual(kinds(res.messages), ["finished"]);
  const f = finishedOf(res.messages);
  assert.equal(f.success, false);
  assert.equal(f.errorCode, 503);
  assert.equal(f.errorStr, "Timed out - server too busy");
  assert.equal(f.errorUser, false);
  assert.equal(f.details, "01CALLID");
  // No `08 00` (success=false) and no errorUser=false byte: details, errorCode,
  // errorStr, createdAt, image only.
  assert.deepEqual(nestedFieldNumbers(wireBytes(res.messages[0]!), 3), [2, 3, 4, 5, 11]);
  assert.match(await runner.registry.metrics(), /fn_runner_engage_count\{outcome="nack"\} 1/);
});

Deno.test("runner Engage never NACKs a call that started: a later 503 is a committed 500", async (t) => {
  // An LB retries a 503 elsewhere; once the function may have run, that is a double run.
  const cases: [string, (call: CallRequest) => Promise<CallResponse>][] = [
    ["503 from submit after onStart", (call) => {
      call.onStart?.();
      return Promise.reject(serverTooBusy());
    }],
    ["503 outcome after the head", (call) => {
      call.onStart?.();
      return Promise.resolve({
        status: 200,
        headers: new Headers(),
        body: ReadableStream.from([new Uint8Array(3)]),
        done: Promise.resolve(outcome({ status: "busy", error: serverTooBusy() })),
      });
    }],
  ];
  for (const [name, script] of cases) {
    await t.step(name, async () => {
      const agent = new ScriptAgent(async (call, body) => {
        await body;
        return await script(call);
      });
      await using runner = await startTestRunner(agent);
      await assertFailedCall(runner, [500, "internal server error", false]);
      assert.match(
        await runner.registry.metrics(),
        /fn_runner_engage_count\{outcome="failed"\} 1/,
      );
    });
  }
});

Deno.test("runner Engage fails with Protocol failure when the first message is not TryCall", async () => {
  await using runner = await startTestRunner(new ScriptAgent(echoScript));
  using c = rawClient(runner.address);
  const res = await engage(c, goFrames(pattern(10)));
  assert.equal(res.status.code, grpc.status.UNKNOWN);
  assert.equal(res.status.details, "Protocol failure: expected ClientMsg_Try");
  assert.deepEqual(res.messages, []);
});

Deno.test("runner Engage fails with Protocol failure on a half-close before EOF", async () => {
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall(), { data: { data: pattern(100), eof: false } }], {
    halfClose: true,
  });
  assert.equal(res.status.code, grpc.status.UNKNOWN);
  assert.equal(res.status.details, "Protocol failure: expected ClientMsg_Data");
  await assert.rejects(agent.bodies[0]!);
});

Deno.test("runner Engage accepts a half-close after the EOF frame", async () => {
  await using runner = await startTestRunner(new ScriptAgent(echoScript));
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall(), ...goFrames(pattern(5))], { halfClose: true });
  assert.equal(res.status.code, grpc.status.OK);
  assert.equal(finishedOf(res.messages).success, true);
});

Deno.test("runner Engage skips empty frames, takes data+eof, ignores frames after EOF", async () => {
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const enc = new TextEncoder();
  const res = await engage(c, [
    tryCall(),
    { data: { data: new Uint8Array(0), eof: false } },
    { data: { data: enc.encode("ab"), eof: false } },
    { data: { data: new Uint8Array(0), eof: false } },
    { data: { data: enc.encode("cd"), eof: true } },
    { data: { data: enc.encode("IGNORED"), eof: false } },
    { data: { data: new Uint8Array(0), eof: true } },
  ]);
  assert.equal(res.status.code, grpc.status.OK);
  assert.equal(new TextDecoder().decode(await agent.bodies[0]!), "abcd");
});

Deno.test("runner Engage refuses the status image with 400 Invalid Fn image", async () => {
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent, { statusImage: "fnproject/hello:0.0.1" });
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall(), ...goFrames(new Uint8Array(0))]);
  assert.deepEqual(kinds(res.messages), ["finished"]);
  const f = finishedOf(res.messages);
  assert.equal(f.errorCode, 400);
  assert.equal(f.errorStr, "Invalid Fn image");
  assert.equal(agent.calls.length, 0);
});

Deno.test("runner Engage reports a function error in CallFinished", async (t) => {
  const cases: [string, () => Promise<CallResponse>, number, string, boolean][] = [
    [
      "error before the head",
      () => Promise.reject(new APIError(502, "function failed", { blame: "user" })),
      502,
      "function failed",
      true,
    ],
    [
      "error after the head",
      () =>
        Promise.resolve({
          status: 200,
          headers: new Headers(),
          body: ReadableStream.from([new Uint8Array(3)]),
          done: Promise.resolve(
            outcome({
              status: "timeout",
              error: new APIError(504, "Timed out", { blame: "user" }),
            }),
          ),
        }),
      504,
      "Timed out",
      true,
    ],
    ["non-API error", () => Promise.reject(new Error("boom")), 500, "internal server error", false],
  ];
  for (const [name, script, code, text, user] of cases) {
    await t.step(name, async () => {
      const agent = new ScriptAgent(async (call, body) => {
        await body;
        call.onStart?.();
        return await script();
      });
      await using runner = await startTestRunner(agent);
      await assertFailedCall(runner, [code, text, user]);
    });
  }
});

Deno.test("runner Engage answers a bad models_call_json with a 500 CallFinished, never code 0", async () => {
  await using runner = await startTestRunner(new ScriptAgent(echoScript));
  using c = rawClient(runner.address);
  const res = await engage(c, [
    { try: { modelsCallJson: "{not json" } },
    ...goFrames(new Uint8Array(0)),
  ]);
  const f = finishedOf(res.messages);
  assert.equal(f.errorCode, 500);
  assert.match(f.errorStr, /^Invalid call from the LB: models_call_json is not JSON/);
});

Deno.test("runner Engage turns an early write into 502 function invoked write before receiving entire request", async () => {
  const agent = new ScriptAgent((call) => {
    call.onStart?.();
    return Promise.resolve({
      status: 200,
      headers: new Headers(),
      body: ReadableStream.from([new Uint8Array(1)]),
      done: Promise.resolve(outcome()),
    });
  });
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  // TryCall only: the EOF frame never comes before the function answers.
  const res = await engage(c, [tryCall()]);
  const f = finishedOf(res.messages);
  assert.deepEqual(kinds(res.messages), ["finished"]);
  assert.equal(f.errorCode, 502);
  assert.equal(f.errorStr, "function invoked write before receiving entire request");
  assert.equal(f.errorUser, true);
});

Deno.test("runner Engage answers a detached call with 202 at start and no data", async () => {
  const agent = new ScriptAgent(echoScript);
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const res = await engage(c, [tryCall({ type: "detached" }), ...goFrames(pattern(100))]);
  assert.deepEqual(kinds(res.messages), ["resultStart", "finished"]);
  const start = res.messages[0]!;
  assert.ok(start.body === "resultStart");
  assert.deepEqual(start.resultStart.http, { statusCode: 202, headers: [] });
  assert.equal(finishedOf(res.messages).success, true);
  assert.equal(agent.calls[0]!.type, "detached");
});

Deno.test("runner Engage aborts the call when the LB cancels the stream", async () => {
  let submitted!: () => void;
  const submittedSeen = new Promise<void>((r) => submitted = r);
  let aborted!: () => void;
  const abortSeen = new Promise<void>((r) => aborted = r);
  const agent = new ScriptAgent((call) => {
    call.signal.addEventListener("abort", () => aborted());
    submitted();
    return new Promise(() => {}); // never answers
  });
  await using runner = await startTestRunner(agent);
  using c = rawClient(runner.address);
  const stream = c.engage();
  stream.on("error", () => {});
  stream.write(tryCall());
  stream.write(goFrames(new Uint8Array(0))[0]!);
  await submittedSeen;
  stream.cancel();
  await abortSeen;
  assert.ok(agent.calls[0]!.signal.aborted);
});
