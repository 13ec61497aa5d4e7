import assert from "node:assert/strict";
import { ResourceTracker } from "./resource_tracker.ts";

const MiB = 1024 * 1024;

function tracker(memoryMb = 256, cpuMillis = 2000): ResourceTracker {
  return new ResourceTracker({ memoryBytes: memoryMb * MiB, cpuMillis });
}

Deno.test("ResourceTracker rejects a non-positive total", () => {
  assert.throws(
    () => new ResourceTracker({ memoryBytes: 0, cpuMillis: 1 }),
    /'memoryBytes' must be positive: current value is 0/,
  );
});

Deno.test("fits() compares with the totals, not with what is free", () => {
  const t = tracker(256);
  using _held = t.tryReserve({ memoryMb: 200, cpuMillis: 0 });
  assert.equal(t.fits({ memoryMb: 256, cpuMillis: 0 }), true);
  assert.equal(t.fits({ memoryMb: 257, cpuMillis: 0 }), false);
  assert.equal(t.fits({ memoryMb: 1, cpuMillis: 2001 }), false);
});

Deno.test("tryReserve() holds capacity until the reservation is disposed", () => {
  const t = tracker(256);
  {
    using a = t.tryReserve({ memoryMb: 128, cpuMillis: 500 });
    assert.ok(a);
    using b = t.tryReserve({ memoryMb: 128, cpuMillis: 0 });
    assert.ok(b);
    assert.equal(t.tryReserve({ memoryMb: 1, cpuMillis: 0 }), undefined);
    assert.deepEqual(t.used, { memoryBytes: 256 * MiB, cpuMillis: 500 });
  }
  assert.deepEqual(t.used, { memoryBytes: 0, cpuMillis: 0 });
});

Deno.test("Reservation.release() is idempotent", () => {
  const t = tracker(256);
  const r = t.tryReserve({ memoryMb: 100, cpuMillis: 0 })!;
  const r2 = t.tryReserve({ memoryMb: 100, cpuMillis: 0 })!;
  r.release();
  r.release();
  assert.equal(t.used.memoryBytes, 100 * MiB);
  assert.equal(r.held, false);
  assert.equal(r2.held, true);
});

Deno.test("reserve() waits for a release and grants waiters in arrival order", async () => {
  const t = tracker(256);
  const held = t.tryReserve({ memoryMb: 256, cpuMillis: 0 })!;
  const order: string[] = [];
  const first = t.reserve({ memoryMb: 128, cpuMillis: 0 }, new AbortController().signal)
    .then((r) => (order.push("first"), r));
  const second = t.reserve({ memoryMb: 128, cpuMillis: 0 }, new AbortController().signal)
    .then((r) => (order.push("second"), r));
  held.release();
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual(order, ["first", "second"]);
  assert.equal(t.used.memoryBytes, 256 * MiB);
  a.release();
  b.release();
});

Deno.test("reserve() rejects with the signal's reason when aborted", async () => {
  const t = tracker(256);
  using _held = t.tryReserve({ memoryMb: 256, cpuMillis: 0 });
  const ctl = new AbortController();
  const waiting = t.reserve({ memoryMb: 10, cpuMillis: 0 }, ctl.signal);
  ctl.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
});

Deno.test("reserve() refuses a need larger than the total", async () => {
  await assert.rejects(
    tracker(256).reserve({ memoryMb: 257, cpuMillis: 0 }, new AbortController().signal),
    RangeError,
  );
});

Deno.test("shortfall() rounds memory down to whole MB", () => {
  const t = new ResourceTracker({ memoryBytes: 256 * MiB + 512 * 1024, cpuMillis: 1000 });
  using _held = t.tryReserve({ memoryMb: 200, cpuMillis: 800 });
  assert.deepEqual(t.shortfall({ memoryMb: 100, cpuMillis: 500 }), {
    memoryMb: 43,
    cpuMillis: 300,
  });
  assert.deepEqual(t.shortfall({ memoryMb: 57, cpuMillis: 0 }), { memoryMb: 0, cpuMillis: 0 });
});
