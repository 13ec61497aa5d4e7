import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { FakeContainer, FakeLauncher, fakeSpec, quietLog } from "../../tests/_fake_launcher.ts";
import type { DispatchRequest } from "./container.ts";
import { ContainerLife, type SlotLease, SlotLostError } from "./container_life.ts";
import { Evictor } from "./evictor.ts";
import { ResourceTracker } from "./resource_tracker.ts";
import { SlotQueue } from "./slot_queue.ts";

const MiB = 1024 * 1024;

function request(): DispatchRequest {
  return {
    callId: "call",
    method: "POST",
    url: "http://x/invoke/F1",
    headers: new Headers(),
    body: null,
    deadline: new Date(Date.now() + 30_000),
    signal: new AbortController().signal,
    maxResponseBytes: 0,
  };
}

async function setup(options: { freezeIdleMs?: number; idleTimeoutMs?: number } = {}) {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const launcher = new FakeLauncher();
  const queue = new SlotQueue<SlotLease>("key");
  const tracker = new ResourceTracker({ memoryBytes: 1024 * MiB, cpuMillis: 1000 });
  const evictor = new Evictor();
  const stop = new AbortController();
  const reservation = tracker.tryReserve({ memoryMb: 128, cpuMillis: 0 })!;
  queue.setContainerState(undefined, "start");
  const container = await launcher.launch(fakeSpec(), stop.signal) as FakeContainer;
  const life = new ContainerLife({
    container,
    queue,
    reservation,
    evictor,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    freezeIdleMs: options.freezeIdleMs ?? -1,
    stopSignal: stop.signal,
    log: quietLog,
  });
  return {
    clock,
    launcher,
    queue,
    tracker,
    evictor,
    stop,
    container,
    life,
    [Symbol.dispose]: () => clock.uninstall(),
  };
}

Deno.test("ContainerLife offers a slot and goes idle again after a reusable call", async () => {
  using s = await setup();
  assert.equal(s.queue.stats().containers.idle, 1);
  const lease = s.queue.take()!.lease;
  await lease.prepare();
  const d = lease.dispatch(request());
  assert.equal((await d.response).status, 200);
  await d.finished;
  await s.clock.tickAsync(0);
  assert.equal(s.queue.stats().containers.idle, 1);
  assert.equal(s.container.closed, false);
});

Deno.test("ContainerLife freezes an idle container and thaws it before the next call", async () => {
  using s = await setup({ freezeIdleMs: 50 });
  await s.clock.tickAsync(49);
  assert.equal(s.container.paused, false);
  await s.clock.tickAsync(1);
  assert.equal(s.container.paused, true);
  assert.equal(s.queue.stats().containers.paused, 1);
  const lease = s.queue.take()!.lease;
  await lease.prepare();
  assert.equal(s.container.paused, false);
  assert.equal(s.container.unpauses, 1);
  await lease.dispatch(request()).finished;
});

Deno.test("ContainerLife removes the container after the idle timeout, then releases", async () => {
  using s = await setup({ idleTimeoutMs: 1000 });
  await s.clock.tickAsync(999);
  assert.equal(s.container.closed, false);
  await s.clock.tickAsync(1);
  await s.life.done;
  assert.equal(s.container.closed, true);
  assert.equal(s.tracker.used.memoryBytes, 0);
  assert.equal(s.queue.isIdle(), true);
  assert.equal(s.queue.take(), undefined);
});

Deno.test("ContainerLife restarts the idle timer after each call", async () => {
  using s = await setup({ idleTimeoutMs: 1000 });
  await s.clock.tickAsync(900);
  const lease = s.queue.take()!.lease;
  await lease.prepare();
  await lease.dispatch(request()).finished;
  await s.clock.tickAsync(900);
  assert.equal(s.container.closed, false);
  await s.clock.tickAsync(100);
  await s.life.done;
  assert.equal(s.container.closed, true);
});

Deno.test("ContainerLife tears down after a call that leaves the container unusable", async () => {
  using s = await setup();
  s.launcher.handler = () => ({
    response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
    finished: Promise.resolve({ reusable: false }),
  });
  const lease = s.queue.take()!.lease;
  await lease.prepare();
  await lease.dispatch(request()).finished;
  await s.life.done;
  assert.equal(s.container.closed, true);
  assert.equal(s.tracker.used.memoryBytes, 0);
});

Deno.test("ContainerLife tears down when the container exits while idle", async () => {
  using s = await setup();
  s.container.exit(1);
  await s.life.done;
  assert.equal(s.container.closed, true);
  assert.equal(s.queue.take(), undefined);
});

Deno.test("ContainerLife can be evicted only while idle", async () => {
  using s = await setup();
  const lease = s.queue.take()!.lease;
  assert.deepEqual(s.evictor.evict("other", { memoryMb: 1, cpuMillis: 0 }), []);
  await lease.prepare();
  await lease.dispatch(request()).finished;
  await s.clock.tickAsync(0);
  const teardowns = s.evictor.evict("other", { memoryMb: 1, cpuMillis: 0 });
  assert.equal(teardowns.length, 1);
  await Promise.all(teardowns);
  assert.equal(s.container.closed, true);
  assert.equal(s.tracker.used.memoryBytes, 0);
});

Deno.test("ContainerLife never evicts for its own function", async () => {
  using s = await setup();
  assert.deepEqual(s.evictor.evict("key", { memoryMb: 1, cpuMillis: 0 }), []);
});

Deno.test("ContainerLife on shutdown retires when idle, and after the call when busy", async (t) => {
  await t.step("idle", async () => {
    using s = await setup();
    s.stop.abort();
    await s.life.done;
    assert.equal(s.container.closed, true);
  });
  await t.step("busy", async () => {
    using s = await setup();
    const lease = s.queue.take()!.lease;
    await lease.prepare();
    let finish!: () => void;
    s.launcher.handler = () => ({
      response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
      finished: new Promise((resolve) => (finish = () => resolve({ reusable: true }))),
    });
    const d = lease.dispatch(request());
    s.stop.abort();
    await s.clock.tickAsync(0);
    assert.equal(s.container.closed, false, "the running call keeps its container");
    finish();
    await d.finished;
    await s.life.done;
    assert.equal(s.container.closed, true);
  });
});

Deno.test("SlotLease.prepare() reports a lost slot when unpause fails", async () => {
  using s = await setup({ freezeIdleMs: 10 });
  await s.clock.tickAsync(10);
  s.container.failUnpause = true;
  const lease = s.queue.take()!.lease;
  await assert.rejects(lease.prepare(), SlotLostError);
  await s.life.done;
  assert.equal(s.container.closed, true);
});

Deno.test("a failed pause removes the idle container", async () => {
  using s = await setup({ freezeIdleMs: 10 });
  s.container.failPause = true;
  await s.clock.tickAsync(10);
  await s.life.done;
  assert.equal(s.container.closed, true);
});

Deno.test("SlotLease.giveBack() returns the container to idle", async () => {
  using s = await setup();
  s.queue.take()!.lease.giveBack();
  await s.clock.tickAsync(0);
  assert.equal(s.queue.stats().containers.idle, 1);
  assert.ok(s.queue.take());
});
