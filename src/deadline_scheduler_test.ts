import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { DeadlineScheduler } from "./deadline_scheduler.ts";

function withClock(fn: (clock: FakeTimers.InstalledClock) => void): void {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    fn(clock);
  } finally {
    clock.uninstall();
  }
}

Deno.test("DeadlineScheduler fires each deadline once, in deadline order", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    const fired: string[] = [];
    const now = Date.now();
    s.schedule(now + 30, () => fired.push("c"));
    s.schedule(now + 10, () => fired.push("a"));
    s.schedule(now + 20, () => fired.push("b"));
    s.schedule(now + 10, () => fired.push("a2"));
    clock.tick(9);
    assert.deepEqual(fired, []);
    clock.tick(1);
    assert.deepEqual(fired, ["a", "a2"]);
    clock.tick(100);
    assert.deepEqual(fired, ["a", "a2", "b", "c"]);
    assert.equal(s.size, 0);
    assert.equal(clock.countTimers(), 0);
  });
});

Deno.test("DeadlineScheduler.schedule() re-arms for an earlier deadline", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    const fired: number[] = [];
    const now = Date.now();
    s.schedule(now + 1000, () => fired.push(1000));
    s.schedule(now + 5, () => fired.push(5));
    clock.tick(5);
    assert.deepEqual(fired, [5]);
    assert.equal(clock.countTimers(), 1);
    clock.tick(995);
    assert.deepEqual(fired, [5, 1000]);
  });
});

Deno.test("DeadlineScheduler: a cancelled deadline never fires", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    let fired = 0;
    const now = Date.now();
    const first = s.schedule(now + 10, () => fired++);
    s.schedule(now + 20, () => fired += 10);
    first.cancel();
    first.cancel();
    assert.equal(s.size, 1);
    clock.tick(10);
    assert.equal(fired, 0);
    clock.tick(10);
    assert.equal(fired, 10);
    assert.equal(s.size, 0);
  });
});

Deno.test("DeadlineScheduler fires a deadline already past from the timer, not inline", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    let fired = false;
    s.schedule(Date.now() - 5, () => fired = true);
    assert.equal(fired, false);
    clock.tick(0);
    assert.equal(fired, true);
  });
});

Deno.test("DeadlineScheduler sweeps cancelled entries so the heap stays small", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    const now = Date.now();
    let fired = 0;
    const keep = s.schedule(now + 60_000, () => fired++);
    for (let i = 0; i < 10_000; i++) s.schedule(now + 30_000 + i, () => fired += 100).cancel();
    assert.equal(s.size, 1);
    clock.tick(60_000);
    assert.equal(fired, 1);
    keep.cancel();
    assert.equal(clock.countTimers(), 0);
  });
});

Deno.test("DeadlineScheduler: a throwing callback does not stop the others", () => {
  withClock((clock) => {
    const errors: unknown[] = [];
    const s = new DeadlineScheduler({ onError: (err) => errors.push(err) });
    let second = false;
    s.schedule(Date.now() + 1, () => {
      throw new Error("boom");
    });
    s.schedule(Date.now() + 1, () => second = true);
    clock.tick(1);
    assert.equal(second, true);
    assert.equal((errors[0] as Error).message, "boom");
  });
});

Deno.test("DeadlineScheduler.clear() drops every pending deadline and the timer", () => {
  withClock((clock) => {
    const s = new DeadlineScheduler();
    let fired = 0;
    s.schedule(Date.now() + 10, () => fired++);
    s.schedule(Date.now() + 20, () => fired++);
    s.clear();
    assert.equal(s.size, 0);
    assert.equal(clock.countTimers(), 0);
    clock.tick(100);
    assert.equal(fired, 0);
  });
});
