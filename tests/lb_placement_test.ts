/**
 * The fnd LB placing calls on fake Go runners: runners that are down or come back, die
 * mid-call or go silent, answers held back until the call ends, client cancels,
 * placement timeouts, metrics, detached calls and shutdown.
 */

import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { APIError } from "../src/models/api_error.ts";
import {
  bodyOf,
  type FakeGoRunner,
  pattern,
  readAll,
  startFakeGoRunner,
  startSilenceableProxy,
} from "./_grpc_fakes.ts";
import { callRequest, deadAddress, echo, finished, lbHandler, lbOver, nack } from "./_lb_wire.ts";

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
