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
