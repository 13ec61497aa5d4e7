import assert from "node:assert/strict";
import client from "prom-client";
import type { Agent, CallOutcome, CallRequest, CallResponse } from "../agent/call.ts";
import { APIError, serverTooBusy } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { CallMetrics } from "./call_metrics.ts";
import { meterAgent } from "./metered_agent.ts";

const at = new Date(0);
const app = { id: "A1", name: "a", config: {}, annotations: {}, createdAt: at, updatedAt: at };
const fn = {
  id: "F1",
  name: "f",
  appId: "A1",
  image: "i",
  memoryMb: 128,
  timeoutSeconds: 30,
  idleTimeoutSeconds: 30,
  config: {},
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

function request(signal = new AbortController().signal): CallRequest {
  return {
    id: "C1",
    app: app as App,
    fn: fn as Fn,
    triggerId: "",
    type: "sync",
    method: "POST",
    url: "http://x/invoke/F1",
    headers: new Headers(),
    body: null,
    signal,
    createdAt: at,
  };
}

/** An agent that starts the call, then answers as scripted. */
class ScriptedAgent implements Agent {
  constructor(readonly answer: (call: CallRequest) => Promise<CallResponse>) {}
  submit(call: CallRequest): Promise<CallResponse> {
    return this.answer(call);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  async [Symbol.asyncDispose](): Promise<void> {}
}

function outcome(status: CallOutcome["status"]): CallOutcome {
  return { status, schedulerMs: 2, executionMs: 5, startedAt: at, completedAt: at };
}

async function metricsText(registry: client.Registry): Promise<string> {
  return await registry.metrics();
}

Deno.test("meterAgent() moves a call from queued to running to its final counter", async () => {
  const registry = new client.Registry();
  const metrics = new CallMetrics(registry);
  let finish!: (o: CallOutcome) => void;
  let startedSeen = false;
  const agent = meterAgent(
    new ScriptedAgent((call) => {
      const counts = metrics.forFn("A1", "F1");
      assert.deepEqual([counts.queued, counts.running], [1, 0]);
      call.onStart?.();
      assert.deepEqual([counts.queued, counts.running], [0, 1]);
      return Promise.resolve({
        status: 200,
        headers: new Headers(),
        body: null,
        done: new Promise<CallOutcome>((resolve) => (finish = resolve)),
      });
    }),
    metrics,
  );
  const res = await agent.submit({ ...request(), onStart: () => (startedSeen = true) });
  assert.ok(startedSeen, "the caller's own onStart still runs");
  finish(outcome("success"));
  await res.done;
  const text = await metricsText(registry);
  assert.match(text, /^fn_calls\{app_id="A1",fn_id="F1"\} 1$/m);
  assert.match(text, /^fn_completed\{app_id="A1",fn_id="F1"\} 1$/m);
  assert.match(text, /^fn_running\{app_id="A1",fn_id="F1"\} 0$/m);
  assert.match(text, /^fn_queued\{app_id="A1",fn_id="F1"\} 0$/m);
  assert.match(text, /^fn_call_exec_latency_sum\{app_id="A1",fn_id="F1"\} 5$/m);
  assert.match(text, /^# HELP fn_server_busy calls where server was too busy in agent$/m);
});

Deno.test("meterAgent() counts calls that fail before their answer by cause", async (t) => {
  const cases: [string, () => unknown, boolean, string][] = [
    ["503 as server busy", () => serverTooBusy(), false, "fn_server_busy"],
    ["504 as timeout", () => new APIError(504, "Timed out"), false, "fn_timeouts"],
    ["502 as error", () => new APIError(502, "function failed"), false, "fn_errors"],
    ["a bug as error", () => new Error("boom"), false, "fn_errors"],
    ["anything after the client left as canceled", () => new Error("x"), true, "fn_canceled"],
  ];
  for (const [title, error, aborted, family] of cases) {
    await t.step(title, async () => {
      const registry = new client.Registry();
      const metrics = new CallMetrics(registry);
      const agent = meterAgent(new ScriptedAgent(() => Promise.reject(error())), metrics);
      const abort = new AbortController();
      if (aborted) abort.abort();
      await assert.rejects(agent.submit(request(abort.signal)));
      const counts = metrics.forFn("A1", "F1");
      assert.deepEqual([counts.calls, counts.queued, counts.running], [1, 0, 0]);
      assert.match(
        await metricsText(registry),
        new RegExp(`^${family}\\{app_id="A1",fn_id="F1"\\} 1$`, "m"),
      );
    });
  }
});

Deno.test("meterAgent() treats the answer as the start when the agent reports none", async () => {
  const registry = new client.Registry();
  const metrics = new CallMetrics(registry);
  let finish!: (o: CallOutcome) => void;
  const agent = meterAgent(
    new ScriptedAgent(() =>
      Promise.resolve({
        status: 200,
        headers: new Headers(),
        body: null,
        done: new Promise<CallOutcome>((resolve) => (finish = resolve)),
      })
    ),
    metrics,
  );
  const res = await agent.submit(request());
  assert.deepEqual([metrics.forFn("A1", "F1").queued, metrics.forFn("A1", "F1").running], [0, 1]);
  finish(outcome("timeout"));
  await res.done;
  assert.equal(metrics.forFn("A1", "F1").timeouts, 1);
  assert.equal(metrics.forFn("A1", "F1").running, 0);
});
