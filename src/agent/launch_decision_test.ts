import assert from "node:assert/strict";
import { isNewContainerNeeded } from "./launch_decision.ts";
import type { QueueStats } from "./slot_queue.ts";

function stats(waiting: number, c: Partial<QueueStats["containers"]>): QueueStats {
  return {
    waitingCalls: waiting,
    executingCalls: 0,
    containers: { wait: 0, start: 0, idle: 0, paused: 0, busy: 0, ...c },
    lastClaimAt: 0,
  };
}

Deno.test("isNewContainerNeeded() follows Fn's rule", async (t) => {
  const cases: [string, QueueStats, boolean][] = [
    ["no waiters", stats(0, {}), false],
    ["one waiter, nothing running", stats(1, {}), true],
    ["one waiter covered by an idle container", stats(1, { idle: 1 }), false],
    ["one waiter covered by a paused container", stats(1, { paused: 1 }), false],
    ["one waiter, one starting", stats(1, { start: 1 }), false],
    ["one waiter, one waiting for resources", stats(1, { wait: 1 }), false],
    ["two waiters, one starting", stats(2, { start: 1 }), true],
    ["three waiters, one idle, one starting", stats(3, { idle: 1, start: 1 }), true],
    ["two waiters, busy containers do not count", stats(2, { busy: 5, start: 2 }), false],
  ];
  for (const [name, s, want] of cases) {
    await t.step(name, () => assert.equal(isNewContainerNeeded(s), want));
  }
});

Deno.test("isNewContainerNeeded() waits for a busy container when that is sooner than a start", async (t) => {
  const now = 10_000;
  const timed = (
    waiting: number,
    c: Partial<QueueStats["containers"]>,
    callMs: number | undefined,
    startMs: number | undefined,
    lastClaimAt = now,
  ): QueueStats => ({
    ...stats(waiting, c),
    lastClaimAt,
    ...(callMs === undefined ? {} : { callMs }),
    ...(startMs === undefined ? {} : { startMs }),
  });
  const cases: [string, QueueStats, boolean][] = [
    [
      "fast calls: 15 waiters queue behind one busy container",
      timed(15, { busy: 1 }, 1, 300),
      false,
    ],
    [
      "slow calls: a start is sooner than the busy container",
      timed(1, { busy: 1 }, 500, 300),
      true,
    ],
    ["many waiters: their last one would wait too long", timed(40, { busy: 4 }, 50, 300), true],
    ["no estimates yet: Fn's rule", timed(15, { busy: 1 }, undefined, undefined), true],
    ["no busy container: a start is the only way", timed(1, {}, 1, 300), true],
    [
      "a stuck queue (no claim for longer than a start) launches",
      timed(2, { busy: 1 }, 1, 300, now - 301),
      true,
    ],
    [
      "still no launch for waiters covered by idle containers",
      timed(1, { idle: 1 }, 500, 1),
      false,
    ],
  ];
  for (const [name, s, want] of cases) {
    await t.step(name, () => assert.equal(isNewContainerNeeded(s, now), want));
  }
});

Deno.test("isNewContainerNeeded() with learnFirst waits for a first container before starting more", async (t) => {
  const now = 10_000;
  const cold = (
    waiting: number,
    c: Partial<QueueStats["containers"]>,
    startMs?: number,
    lastClaimAt = now,
  ): QueueStats => ({
    waitingCalls: waiting,
    executingCalls: 0,
    containers: { wait: 0, start: 0, idle: 0, paused: 0, busy: 0, ...c },
    lastClaimAt,
    ...(startMs === undefined ? {} : { startMs }),
  });
  const cases: [string, QueueStats, boolean][] = [
    ["the first waiter of a new function", cold(1, {}), true],
    ["15 more waiters while the first container starts", cold(16, { start: 1 }), false],
    ["waiters behind a first call that just began", cold(15, { busy: 1 }, 300, now - 10), false],
    ["a first call running longer than a start takes", cold(15, { busy: 1 }, 300, now - 301), true],
    ["the first container failed: start again", cold(16, {}, 300), true],
  ];
  for (const [name, s, want] of cases) {
    await t.step(
      name,
      () => assert.equal(isNewContainerNeeded(s, now, { learnFirst: true }), want),
    );
  }
  await t.step("without learnFirst: Fn's rule", () => {
    assert.equal(isNewContainerNeeded(cold(16, { start: 1 }), now), true);
  });
});
