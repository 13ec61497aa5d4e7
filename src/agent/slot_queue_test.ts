import assert from "node:assert/strict";
import { Slot, SlotQueue } from "./slot_queue.ts";

const never = new AbortController().signal;

Deno.test("take() hands out the most recently idled slot first (LIFO)", () => {
  const q = new SlotQueue<string>("k");
  q.offer(new Slot("old"));
  q.offer(new Slot("new"));
  assert.equal(q.take()?.lease, "new");
  assert.equal(q.take()?.lease, "old");
  assert.equal(q.take(), undefined);
});

Deno.test("offer() gives the slot to the longest-waiting call", async () => {
  const q = new SlotQueue<string>("k");
  const first = q.waitForSlot(never);
  const second = q.waitForSlot(never);
  assert.equal(q.stats().waitingCalls, 2);
  q.offer(new Slot("a"));
  q.offer(new Slot("b"));
  assert.equal((await first).lease, "a");
  assert.equal((await second).lease, "b");
  assert.equal(q.stats().waitingCalls, 0);
});

Deno.test("withdraw() and a claim are exclusive", async (t) => {
  await t.step("the container wins when nobody claimed", () => {
    const q = new SlotQueue<string>("k");
    const slot = new Slot("a");
    q.offer(slot);
    assert.equal(q.withdraw(slot), true);
    assert.equal(q.take(), undefined);
  });
  await t.step("the call wins when it claimed first", async () => {
    const q = new SlotQueue<string>("k");
    let claimedSync = false;
    const slot = new Slot("a", () => (claimedSync = true));
    q.offer(slot);
    assert.equal(q.take(), slot);
    assert.equal(claimedSync, true);
    assert.equal(q.withdraw(slot), false);
    await slot.claimed;
  });
  await t.step("handed straight to a waiter, it cannot be withdrawn", () => {
    const q = new SlotQueue<string>("k");
    void q.waitForSlot(never);
    const slot = new Slot("a");
    q.offer(slot);
    assert.equal(q.withdraw(slot), false);
  });
});

Deno.test("waitForSlot() stops waiting when its signal aborts", async () => {
  const q = new SlotQueue<string>("k");
  const ctl = new AbortController();
  const waiting = q.waitForSlot(ctl.signal);
  ctl.abort(new Error("client left"));
  await assert.rejects(waiting, /client left/);
  assert.equal(q.stats().waitingCalls, 0);
  q.offer(new Slot("a"));
  assert.equal(q.take()?.lease, "a", "the slot went to the stack, not to the gone waiter");
});

Deno.test("SlotQueue calls onIdle when nothing waits, runs or lives in it", () => {
  let idle = 0;
  const q = new SlotQueue<string>("k", () => idle++);
  q.setContainerState(undefined, "start");
  q.setContainerState("start", "idle");
  q.callStarted();
  q.setContainerState("idle", "busy");
  q.callFinished();
  assert.equal(idle, 0);
  q.setContainerState("busy", undefined);
  assert.equal(idle, 1);
  assert.equal(q.isIdle(), true);
});

Deno.test("stats() counts containers per state and records the last claim", () => {
  const q = new SlotQueue<string>("k");
  const before = q.stats().lastClaimAt;
  q.setContainerState(undefined, "wait");
  q.setContainerState(undefined, "start");
  q.setContainerState(undefined, "idle");
  q.setContainerState("idle", "paused");
  assert.deepEqual(q.stats().containers, { wait: 1, start: 1, idle: 0, paused: 1, busy: 0 });
  q.offer(new Slot("a"));
  q.take();
  assert.ok(q.stats().lastClaimAt >= before);
});
