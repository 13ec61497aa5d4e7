import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { deferred, FakeLauncher, quietLog } from "../../tests/_fake_launcher.ts";
import { EnvReader } from "../_env.ts";
import { APIError } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { type AgentConfig, readAgentConfig } from "./agent_config.ts";
import type { CallRequest } from "./call.ts";
import type { DispatchRequest } from "./container.ts";
import { LocalAgent } from "./local_agent.ts";
import { ResourceTracker } from "./resource_tracker.ts";

const MiB = 1024 * 1024;
const at = new Date(0);
const app: App = {
  id: "A1",
  name: "app",
  config: {},
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

function fn(id = "F1", changes: Partial<Fn> = {}): Fn {
  return {
    id,
    name: `fn-${id}`,
    appId: "A1",
    image: "img:1",
    memoryMb: 128,
    timeoutSeconds: 30,
    idleTimeoutSeconds: 30,
    config: {},
    annotations: {},
    createdAt: at,
    updatedAt: at,
    ...changes,
  };
}

function call(f: Fn, extra: Partial<CallRequest> = {}): CallRequest {
  return {
    id: `call-${Math.random()}`,
    app,
    fn: f,
    triggerId: "",
    type: "sync",
    method: "POST",
    url: "http://localhost/invoke/" + f.id,
    headers: new Headers(),
    body: null,
    signal: new AbortController().signal,
    createdAt: new Date(),
    ...extra,
  };
}

interface Setup extends Disposable {
  readonly agent: LocalAgent;
  readonly launcher: FakeLauncher;
  readonly tracker: ResourceTracker;
  readonly clock: FakeTimers.InstalledClock;
}

function setup(
  options: { memoryMb?: number; config?: Partial<AgentConfig> } = {},
): Setup {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const launcher = new FakeLauncher();
  const tracker = new ResourceTracker({
    memoryBytes: (options.memoryMb ?? 1024) * MiB,
    cpuMillis: 2000,
  });
  const config = { ...readAgentConfig(new EnvReader({})), freezeIdleMs: -1, ...options.config };
  const agent = new LocalAgent({ config, launcher, tracker, log: quietLog });
  return { agent, launcher, tracker, clock, [Symbol.dispose]: () => clock.uninstall() };
}

/** A handler whose calls all finish when `release()` is called. */
function holdCalls(launcher: FakeLauncher) {
  const gate = deferred();
  const seen: DispatchRequest[] = [];
  launcher.handler = (req) => {
    seen.push(req);
    return {
      response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
      finished: gate.promise.then(() => ({ reusable: true })),
    };
  };
  return { seen, release: () => gate.resolve() };
}

Deno.test("submit() reuses one hot container for sequential calls", async () => {
  using s = setup();
  for (let i = 0; i < 5; i++) {
    const res = await s.agent.submit(call(fn()));
    assert.equal(res.status, 200);
    assert.equal((await res.done).status, "success");
  }
  assert.equal(s.launcher.launched.length, 1);
  assert.equal(s.launcher.launched[0]!.dispatches, 5);
});

Deno.test("submit() runs parallel calls on a bounded number of containers", async () => {
  using s = setup({ memoryMb: 3 * 128 });
  const held = holdCalls(s.launcher);
  const calls = Array.from({ length: 8 }, () => s.agent.submit(call(fn())));
  await s.clock.tickAsync(2000);
  assert.equal(s.launcher.launched.length, 3, "memory allows three containers");
  assert.equal(held.seen.length, 3);
  held.release();
  await s.clock.tickAsync(1000);
  const results = await Promise.all(calls);
  assert.deepEqual(results.map((r) => r.status), Array(8).fill(200));
  assert.equal(s.launcher.launched.length, 3);
});

Deno.test("submit() gives 400 when the function needs more than the machine has", async () => {
  using s = setup({ memoryMb: 256 });
  await assert.rejects(
    s.agent.submit(call(fn("F1", { memoryMb: 512 }))),
    (err: unknown) =>
      err instanceof APIError && err.status === 400 &&
      err.message === "Requested CPU/Memory cannot be allocated",
  );
});

Deno.test("submit() gives 400 for an unknown fnd.io/format", async () => {
  using s = setup();
  await assert.rejects(
    s.agent.submit(call(fn("F1", { annotations: { "fnd.io/format": "xml" } }))),
    (err: unknown) => err instanceof APIError && err.status === 400,
  );
});

Deno.test("submit() calls onAccepted after its checks, before it waits for a container", async () => {
  using s = setup({ memoryMb: 128 });
  const held = holdCalls(s.launcher);
  const busy = await s.agent.submit(call(fn()));
  let accepted = 0;
  let answered = false;
  const waiting = s.agent.submit(call(fn(), { onAccepted: () => accepted++ }));
  void waiting.then(() => (answered = true));
  await s.clock.tickAsync(1000);
  assert.equal(accepted, 1, "accepted while the only container is still busy");
  assert.equal(answered, false);
  held.release();
  await s.clock.tickAsync(10);
  assert.equal((await waiting).status, 200);
  assert.equal(accepted, 1);
  await busy.done;
});

Deno.test("submit() does not call onAccepted for a call it refuses up front", async (t) => {
  using s = setup({ memoryMb: 256 });
  let accepted = 0;
  const onAccepted = () => accepted++;
  const refused = async (c: CallRequest, status: number) => {
    await assert.rejects(s.agent.submit(c), (err: unknown) => {
      assert.ok(err instanceof APIError);
      assert.equal(err.status, status);
      return true;
    });
    assert.equal(accepted, 0);
  };
  await t.step(
    "too large for the machine",
    () => refused(call(fn("F1", { memoryMb: 512 }), { onAccepted }), 400),
  );
  await t.step(
    "unknown format",
    () => refused(call(fn("F2", { annotations: { "fnd.io/format": "xml" } }), { onAccepted }), 400),
  );
  await t.step("shutting down", async () => {
    await s.agent.close(0);
    await refused(call(fn(), { onAccepted }), 503);
  });
});

Deno.test("submit() answers 503 with Retry-After at once when full in non-blocking mode", async () => {
  using s = setup({ memoryMb: 128, config: { nonBlockingResourceTracker: true } });
  const held = holdCalls(s.launcher);
  const first = await s.agent.submit(call(fn()));
  await assert.rejects(
    s.agent.submit(call(fn())),
    (err: unknown) =>
      err instanceof APIError && err.status === 503 && err.retryAfterSeconds === 15 &&
      err.message === "Timed out - server too busy",
  );
  held.release();
  await first.done;
});

Deno.test("submit() evicts another function's idle container when memory is full", async () => {
  using s = setup({ memoryMb: 128 });
  await (await s.agent.submit(call(fn("F1")))).done;
  const other = s.agent.submit(call(fn("F2")));
  await s.clock.tickAsync(500);
  const res = await other;
  assert.equal(res.status, 200);
  assert.equal(s.launcher.launched.length, 2);
  assert.equal(s.launcher.launched[0]!.closed, true, "F1's idle container was evicted");
  assert.equal(s.agent.evictions, 1);
});

Deno.test("submit() waits for a busy container of its own function instead of evicting", async () => {
  using s = setup({ memoryMb: 128 });
  const held = holdCalls(s.launcher);
  const first = await s.agent.submit(call(fn()));
  const second = s.agent.submit(call(fn()));
  await s.clock.tickAsync(1000);
  assert.equal(held.seen.length, 1);
  held.release();
  await first.done;
  assert.equal((await second).status, 200);
  assert.equal(s.launcher.launched.length, 1);
});

Deno.test("submit() gives a launch error to the call whose signal caused it", async () => {
  using s = setup();
  s.launcher.failures.push(new APIError(502, "Container failed to initialize"));
  const first = s.agent.submit(call(fn()));
  const outcome = first.then(() => "ok", (err: APIError) => err.message);
  await s.clock.tickAsync(0);
  const second = s.agent.submit(call(fn()));
  await s.clock.tickAsync(1000);
  assert.equal(await outcome, "Container failed to initialize");
  assert.equal((await second).status, 200, "the other call kept waiting and got a container");
});

Deno.test("submit() stops waiting when the client goes away", async () => {
  using s = setup({ memoryMb: 128 });
  const held = holdCalls(s.launcher);
  const first = await s.agent.submit(call(fn()));
  const ctl = new AbortController();
  const waiting = s.agent.submit(call(fn(), { signal: ctl.signal }));
  await s.clock.tickAsync(100);
  ctl.abort(new Error("client left"));
  await assert.rejects(waiting, /client left/);
  held.release();
  await first.done;
  const stats = [...s.agent.queueStats().values()];
  assert.equal(stats.reduce((n, q) => n + q.waitingCalls, 0), 0);
});

Deno.test("submit() ends a stalled wait with 503 after the fn timeout plus start timeout", async () => {
  using s = setup({ memoryMb: 128, config: { hotStartTimeoutMs: 5000 } });
  const held = holdCalls(s.launcher);
  const busy = await s.agent.submit(call(fn("F1", { timeoutSeconds: 300 })));
  const waiting = s.agent.submit(call(fn("F2", { timeoutSeconds: 10 })));
  const result = waiting.then(
    () => "ok",
    (err: APIError) => `${err.status} ${err.retryAfterSeconds}`,
  );
  await s.clock.tickAsync(14_000);
  assert.equal(
    s.launcher.launched.length,
    1,
    "F2 cannot start: F1's busy container holds all memory",
  );
  await s.clock.tickAsync(1_500);
  assert.equal(await result, "503 15");
  held.release();
  await busy.done;
});

Deno.test("submit() starts the timeout clock at dispatch and calls onStart first", async () => {
  using s = setup();
  s.clock.setSystemTime(1_000_000);
  const order: string[] = [];
  let deadline = 0;
  s.launcher.handler = (req) => {
    order.push("dispatch");
    deadline = req.deadline.getTime();
    return {
      response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
      finished: Promise.resolve({ reusable: true }),
    };
  };
  const res = await s.agent.submit(
    call(fn("F1", { timeoutSeconds: 7 }), { onStart: () => order.push("start") }),
  );
  await res.done;
  assert.deepEqual(order, ["start", "dispatch"]);
  assert.equal(deadline, Date.now() + 7000);
});

Deno.test("submit() reports the container's launch on the first call it ran only", async () => {
  using s = setup();
  const first = await (await s.agent.submit(call(fn()))).done;
  const second = await (await s.agent.submit(call(fn()))).done;
  assert.equal(s.launcher.launched.length, 1, "both calls ran on one container");
  assert.deepEqual(first.launch, { imagePullMs: 0, createMs: 40, initMs: 60 });
  assert.equal(second.launch, undefined);
});

Deno.test("submit() strips hop-by-hop headers both ways", async () => {
  using s = setup();
  let sent: Headers | undefined;
  s.launcher.handler = (req) => {
    sent = req.headers;
    return {
      response: Promise.resolve({
        status: 200,
        headers: new Headers({ "Keep-Alive": "timeout=5", "X-Out": "1" }),
        body: null,
      }),
      finished: Promise.resolve({ reusable: true }),
    };
  };
  const res = await s.agent.submit(
    call(fn(), { headers: new Headers({ Connection: "close", "X-In": "1" }) }),
  );
  assert.deepEqual([...sent!.keys()], ["x-in"]);
  assert.deepEqual([...res.headers.keys()], ["x-out"]);
});

Deno.test("done reports timeout and error outcomes", async () => {
  using s = setup();
  s.launcher.handler = () => ({
    response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
    finished: Promise.resolve({ reusable: false, error: new APIError(504, "Timed out") }),
  });
  const res = await s.agent.submit(call(fn()));
  const outcome = await res.done;
  assert.equal(outcome.status, "timeout");
  assert.equal(outcome.error?.status, 504);
  await s.clock.tickAsync(0);
  assert.equal(s.launcher.launched[0]!.closed, true, "a non-reusable container is removed");
});

Deno.test("a queue is forgotten once its last container idled out", async () => {
  using s = setup();
  await (await s.agent.submit(call(fn("F1", { idleTimeoutSeconds: 1 })))).done;
  assert.equal(s.agent.queueStats().size, 1);
  await s.clock.tickAsync(1000);
  assert.equal(s.agent.queueStats().size, 0);
  assert.equal(s.launcher.live.length, 0);
  assert.equal(s.tracker.used.memoryBytes, 0);
});

Deno.test("close() lets in-flight calls finish, then removes every container", async () => {
  using s = setup();
  const held = holdCalls(s.launcher);
  const busy = await s.agent.submit(call(fn("F1")));
  held.release(); // nothing holds F2's call
  const closing = s.agent.close(10_000);
  await assert.rejects(
    s.agent.submit(call(fn("F2"))),
    (err: unknown) => err instanceof APIError && err.status === 503,
  );
  await s.clock.tickAsync(0);
  assert.equal((await busy.done).status, "success");
  await closing;
  assert.equal(s.launcher.live.length, 0);
  assert.equal(s.launcher.closed, true);
});

Deno.test("close() kills calls still running after the grace period", async () => {
  using s = setup();
  const gate = deferred<{ reusable: boolean }>();
  s.launcher.handler = (_req, container) => {
    void container.exited.then(() => gate.resolve({ reusable: false }));
    return {
      response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
      finished: gate.promise,
    };
  };
  const res = await s.agent.submit(call(fn()));
  const closing = s.agent.close(1000);
  await s.clock.tickAsync(999);
  assert.equal(s.launcher.live.length, 1);
  await s.clock.tickAsync(1);
  await closing;
  assert.equal(s.launcher.live.length, 0);
  await res.done;
});

Deno.test("close() ends waiting calls with 503", async () => {
  using s = setup({ memoryMb: 128 });
  const held = holdCalls(s.launcher);
  const busy = await s.agent.submit(call(fn()));
  const waiting = s.agent.submit(call(fn()));
  const result = waiting.then(() => 0, (err: APIError) => err.status);
  await s.clock.tickAsync(10);
  const closing = s.agent.close(5000);
  assert.equal(await result, 503);
  held.release();
  await busy.done;
  await closing;
});

Deno.test("submit() gives the slot back when onStart throws", async () => {
  using s = setup();
  await assert.rejects(
    s.agent.submit(call(fn(), {
      onStart: () => {
        throw new Error("listener failed");
      },
    })),
    /listener failed/,
  );
  const res = await s.agent.submit(call(fn()));
  assert.equal(res.status, 200);
  assert.equal(s.launcher.launched.length, 1, "the same container serves the next call");
});
