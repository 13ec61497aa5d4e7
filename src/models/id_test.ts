import assert from "node:assert/strict";
import { IdGenerator, newId } from "./id.ts";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The 128 bits of an id: ms << 80 | machine id << 32 | counter. */
function bitsOf(id: string): bigint {
  return [...id].reduce((acc, c) => (acc << 5n) | BigInt(ALPHABET.indexOf(c)), 0n);
}

Deno.test("IdGenerator.next() lays out ms, machine id and counter like Fn", () => {
  const ids = new IdGenerator({ machineId: 0x0a0102031f90n, firstCounter: 1 });
  const id = ids.next(1_700_000_000_123);
  assert.equal(id.length, 26);
  assert.match(id, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  const bits = bitsOf(id);
  assert.equal(bits >> 80n, 1_700_000_000_123n);
  assert.equal((bits >> 32n) & ((1n << 48n) - 1n), 0x0a0102031f90n);
  assert.equal(bits & 0xffffffffn, 1n);
  assert.equal(bitsOf(ids.next(1_700_000_000_123)) & 0xffffffffn, 2n);
});

Deno.test("IdGenerator() starts the counter at a random value below 2^31", () => {
  const firsts = Array.from({ length: 20 }, () => bitsOf(new IdGenerator().next(0)) & 0xffffffffn);
  for (const first of firsts) assert.ok(first >= 1n && first < 1n << 31n, String(first));
  assert.ok(new Set(firsts).size > 1, "20 generators all started at the same counter");
});

// Random first counters overlap within 1000 ids with a chance of about 1 in a million.
Deno.test("IdGenerator.next() of two processes with one machine id differ in one ms", () => {
  const one = new IdGenerator({ machineId: 42n });
  const two = new IdGenerator({ machineId: 42n });
  const minted = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    minted.add(one.next(5));
    minted.add(two.next(5));
  }
  assert.equal(minted.size, 2000);
});

Deno.test("IdGenerator.next() sorts by time, then by counter within the process", () => {
  const ids = new IdGenerator({ machineId: 1n, firstCounter: 0xfffffff0 });
  const minted = [ids.next(10), ids.next(10), ids.next(11)];
  assert.deepEqual([...minted].sort(), minted);
});

Deno.test("IdGenerator() rejects a machine id over 48 bits and a bad first counter", () => {
  assert.throws(() => new IdGenerator({ machineId: 1n << 48n }), RangeError);
  assert.throws(() => new IdGenerator({ machineId: -1n }), RangeError);
  assert.throws(() => new IdGenerator({ firstCounter: 2 ** 32 }), RangeError);
  assert.throws(() => new IdGenerator({ firstCounter: 1.5 }), RangeError);
  const ids = new IdGenerator();
  assert.throws(() => {
    ids.machineId = 1n << 48n;
  }, RangeError);
});

Deno.test("newId() mints distinct ids in one millisecond", () => {
  const minted = new Set(Array.from({ length: 100 }, () => newId(7)));
  assert.equal(minted.size, 100);
});
