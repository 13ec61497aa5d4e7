import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { deferred, FakeLauncher, quietLog } from "../../tests/_fake_launcher.ts";
import { APIError } from "../models/api_error.ts";
import type { ContainerTemplate } from "./container_template.ts";
import { Evictor } from "./evictor.ts";
import { HotLauncher, type HotLauncherOptions, type LaunchCaller } from "./hot_launcher.ts";
import type { Reservation } from "./resource_tracker.ts";
import { ResourceTracker } from "./resource_tracker.ts";
import { SlotQueue } from "./slot_queue.ts";

const MiB = 1024 * 1024;

const template: ContainerTemplate = {
  key: "key",
  spec: {
    appId: "A",
    appName: "a",
    fnId: "F",
    fnName: "f",
    image: "img",
    env: {},
    memoryMb: 128,
    cpuMillis: 0,
    format: "http-stream",
  },
  need: { memoryMb: 128, cpuMillis: 0 },
  idleTimeoutMs: 30_000,
  timeoutMs: 30_000,
};

class Caller implements LaunchCaller {
  listening = true;
  errors: unknown[] = [];
  fail(err: unknown): void {
    this.errors.push(err);
  }
}

function setup(memoryMb: number, extra: Partial<HotLauncherOptions> = {}) {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const queue = new SlotQueue<unknown>("key");
  const launcher = new FakeLauncher();
  const tracker = new ResourceTracker({ memoryBytes: memoryMb * MiB, cpuMillis: 1000 });
  const evictor = new Evictor();
  const launched: Reservation[] = [];
  const hot = new HotLauncher({
    queue,
    template,
    launcher,
    tracker,
    evictor,
    hotPollMs: 200,
    nonBlocking: false,
    evictionWaitMs: 1000,
    stopSignal: new AbortController().signal,
    onLaunched: (_c, r) => launched.push(r),
    log: quietLog,
    ...extra,
  });
  const wait = () => void queue.waitForSlot(new AbortController().signal);
  return {
    clock,
    queue,
    launcher,
    tracker,
    evictor,
    hot,
    launched,
    wait,
    [Symbol.dispose]: () => clock.uninstall(),
  };
}

/** Three waiters and launches that stay in "start"; five signals, checking each. */
async function signalThreeWaiters(
  s: ReturnType<typeof setup>,
  startingAfter: (signal: number) => number,
) {
  s.launcher.gate = new Promise(() => {});
  for (let i = 0; i < 3; i++) s.wait();
  const caller = new Caller();
  for (let i = 1; i <= 5; i++) {
    s.hot.signal(caller);
    await s.clock.tickAsync(0);
    assert.equal(s.queue.stats().containers.start, startingAfter(i), `after signal ${i}`);
  }
}

Deno.test("HotLauncher starts one container per signal, up to the uncovered waiters", async () => {
  using s = setup(1024);
  s.queue.recordCall(1000); // a known, slow call time: waiting is never sooner
  await signalThreeWaiters(s, (i) => Math.min(i, 3));
  assert.equal(s.tracker.used.memoryBytes, 3 * 128 * MiB);
});

Deno.test("HotLauncher starts one container for a cold burst until a call time is known", async () => {
  using s = setup(1024);
  await signalThreeWaiters(s, () => 1);
});

Deno.test("HotLauncher asks its decision function", async () => {
  using s = setup(1024, { decide: () => false });
  s.wait();
  s.hot.signal(new Caller());
  await s.clock.tickAsync(1000);
  assert.equal(s.queue.stats().containers.start, 0);
  assert.equal(s.launched.length, 0);
});

Deno.test("HotLauncher hands a started container and its reservation over", async () => {
  using s = setup(1024);
  s.wait();
  s.hot.signal(new Caller());
  await s.clock.tickAsync(0);
  assert.equal(s.launched.length, 1);
  assert.equal(s.launched[0]!.held, true);
  assert.equal(s.launcher.launched[0]!.spec.image, "img");
  assert.equal(s.launcher.launched[0]!.spec.id.length, 26);
});

Deno.test("HotLauncher reports a launch failure to the signalling caller and frees the room", async () => {
  using s = setup(1024);
  s.launcher.failures.push(new APIError(502, "Container failed to initialize"));
  s.wait();
  const caller = new Caller();
  s.hot.signal(caller);
  await s.clock.tickAsync(0);
  assert.equal((caller.errors[0] as APIError).status, 502);
  assert.equal(s.tracker.used.memoryBytes, 0);
  assert.equal(s.queue.stats().containers.start, 0);
});

Deno.test("HotLauncher only logs a launch failure when the caller stopped listening", async () => {
  using s = setup(1024);
  const gate = deferred();
  s.launcher.gate = gate.promise;
  s.launcher.failures.push(new APIError(502, "boom"));
  s.wait();
  const caller = new Caller();
  s.hot.signal(caller);
  await s.clock.tickAsync(0);
  caller.listening = false;
  gate.resolve();
  await s.clock.tickAsync(0);
  assert.deepEqual(caller.errors, []);
});

Deno.test("HotLauncher in blocking mode waits for room, and reports nothing when none comes", async () => {
  using s = setup(128);
  using _full = s.tracker.tryReserve({ memoryMb: 128, cpuMillis: 0 });
  s.wait();
  const caller = new Caller();
  s.hot.signal(caller);
  await s.clock.tickAsync(100);
  assert.equal(s.queue.stats().containers.wait, 1, "waiting for resources");
  await s.clock.tickAsync(100);
  assert.equal(s.queue.stats().containers.wait, 0);
  assert.deepEqual(caller.errors, []);
  assert.equal(s.launched.length, 0);
});

Deno.test("HotLauncher in blocking mode launches as soon as room is released", async () => {
  using s = setup(128);
  const full = s.tracker.tryReserve({ memoryMb: 128, cpuMillis: 0 })!;
  s.wait();
  s.hot.signal(new Caller());
  await s.clock.tickAsync(50);
  full.release();
  await s.clock.tickAsync(0);
  assert.equal(s.launched.length, 1);
});

Deno.test("HotLauncher in non-blocking mode answers 503 when full and nothing is evictable", async () => {
  using s = setup(128, { nonBlocking: true });
  using _full = s.tracker.tryReserve({ memoryMb: 128, cpuMillis: 0 });
  s.wait();
  const caller = new Caller();
  s.hot.signal(caller);
  await s.clock.tickAsync(0);
  const err = caller.errors[0] as APIError;
  assert.equal(err.status, 503);
  assert.equal(err.retryAfterSeconds, 15);
});

Deno.test("HotLauncher evicts for its shortfall and waits for the teardown", async () => {
  using s = setup(128, { nonBlocking: true });
  const other = s.tracker.tryReserve({ memoryMb: 128, cpuMillis: 0 })!;
  const torn = deferred();
  s.evictor.register({
    key: "other",
    memoryMb: 128,
    cpuMillis: 0,
    evict: () => torn.promise.then(() => other.release()),
  });
  s.wait();
  const caller = new Caller();
  s.hot.signal(caller);
  await s.clock.tickAsync(0);
  assert.deepEqual(caller.errors, [], "an eviction is under way: no 503");
  torn.resolve();
  await s.clock.tickAsync(0);
  s.hot.signal(caller); // the waiter's next poll
  await s.clock.tickAsync(0);
  assert.equal(s.launched.length, 1);
});
