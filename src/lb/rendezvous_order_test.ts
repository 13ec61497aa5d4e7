import assert from "node:assert/strict";
import { newId } from "../models/id.ts";
import { rendezvousOrder } from "./rendezvous_order.ts";

const runners = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ address: `10.0.0.${i + 1}:9190` }));
const fnIds = Array.from({ length: 10_000 }, (_, i) => newId(1_700_000_000_000 + i * 37));

Deno.test("rendezvousOrder() spreads 10 000 functions within ±15 % of fair", async (t) => {
  for (const n of [2, 3, 5]) {
    await t.step(`${n} runners`, () => {
      const list = runners(n);
      const counts = new Map<string, number>();
      for (const id of fnIds) {
        const first = rendezvousOrder(list, id)[0]!.address;
        counts.set(first, (counts.get(first) ?? 0) + 1);
      }
      const fair = fnIds.length / n;
      for (const r of list) {
        const share = counts.get(r.address) ?? 0;
        assert.ok(Math.abs(share - fair) <= 0.15 * fair, `${r.address}: ${share} vs ${fair}`);
      }
    });
  }
});

Deno.test("rendezvousOrder() moves only the new runner's share when one is added", async (t) => {
  for (const n of [2, 3, 5]) {
    await t.step(`${n} → ${n + 1} runners`, () => {
      const before = runners(n);
      const after = runners(n + 1);
      const added = after[n]!.address;
      let moved = 0;
      for (const id of fnIds) {
        const was = rendezvousOrder(before, id)[0]!.address;
        const now = rendezvousOrder(after, id)[0]!.address;
        if (was !== now) {
          moved++;
          assert.equal(now, added, "a key may only move to the added runner");
        }
      }
      const ideal = fnIds.length / (n + 1);
      assert.ok(Math.abs(moved - ideal) <= 0.15 * ideal, `moved ${moved}, ideal ${ideal}`);
    });
  }
});

Deno.test("rendezvousOrder() does not depend on the order of the addresses", () => {
  const list = runners(5);
  const reversed = [...list].reverse();
  for (const id of fnIds.slice(0, 500)) {
    assert.deepEqual(rendezvousOrder(list, id), rendezvousOrder(reversed, id));
  }
});

Deno.test("rendezvousOrder() sends a NACKed function's overflow to every other runner", () => {
  const list = runners(3);
  const seconds = new Map<string, number>();
  for (const id of fnIds) {
    const [first, second] = rendezvousOrder(list, id);
    if (first!.address !== list[0]!.address) continue;
    seconds.set(second!.address, (seconds.get(second!.address) ?? 0) + 1);
  }
  assert.equal(seconds.size, 2);
  const [x, y] = [...seconds.values()];
  assert.ok(Math.abs(x! - y!) <= 0.15 * Math.max(x!, y!));
});

Deno.test("rendezvousOrder() keeps one function on one runner", () => {
  const list = runners(3);
  const first = rendezvousOrder(list, "01FNID")[0];
  for (let i = 0; i < 100; i++) assert.equal(rendezvousOrder(list, "01FNID")[0], first);
});
