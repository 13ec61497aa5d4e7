import assert from "node:assert/strict";
import { type EvictionCandidate, Evictor } from "./evictor.ts";

interface TestCandidate extends EvictionCandidate {
  evicted: boolean;
}

function candidate(key: string, memoryMb: number, cpuMillis = 0, lost = false): TestCandidate {
  const c: TestCandidate = {
    key,
    memoryMb,
    cpuMillis,
    evicted: false,
    evict() {
      if (lost) return undefined;
      c.evicted = true;
      return Promise.resolve();
    },
  };
  return c;
}

Deno.test("evict() takes the oldest idle containers of other functions first", () => {
  const e = new Evictor();
  const old = candidate("b", 64);
  const mine = candidate("a", 64);
  const newer = candidate("c", 64);
  const newest = candidate("d", 64);
  for (const c of [old, mine, newer, newest]) e.register(c);
  assert.equal(e.evict("a", { memoryMb: 100, cpuMillis: 0 }).length, 2);
  assert.deepEqual([old.evicted, mine.evicted, newer.evicted, newest.evicted], [
    true,
    false,
    true,
    false,
  ]);
  assert.equal(e.evictions, 2);
});

Deno.test("evict() evicts nothing when the candidates cannot cover the need", () => {
  const e = new Evictor();
  const a = candidate("b", 64);
  const b = candidate("c", 64, 100);
  e.register(a);
  e.register(b);
  assert.deepEqual(e.evict("a", { memoryMb: 200, cpuMillis: 0 }), []);
  assert.deepEqual(e.evict("a", { memoryMb: 1, cpuMillis: 500 }), []);
  assert.equal(a.evicted || b.evicted, false);
});

Deno.test("evict() does nothing for a zero need", () => {
  const e = new Evictor();
  const a = candidate("b", 64);
  e.register(a);
  assert.deepEqual(e.evict("a", { memoryMb: 0, cpuMillis: 0 }), []);
  assert.equal(a.evicted, false);
});

Deno.test("register() order restarts each time a container goes idle again", () => {
  const e = new Evictor();
  const a = candidate("b", 64);
  const b = candidate("c", 64);
  const regA = e.register(a);
  e.register(b);
  regA[Symbol.dispose](); // a got busy...
  e.register(a); // ...and idle again: now the newest
  e.evict("z", { memoryMb: 64, cpuMillis: 0 });
  assert.deepEqual([a.evicted, b.evicted], [false, true]);
});

Deno.test("register() skips containers that hold no resources", () => {
  const e = new Evictor();
  const free = candidate("b", 0, 0);
  e.register(free);
  assert.deepEqual(e.evict("a", { memoryMb: 1, cpuMillis: 0 }), []);
});

Deno.test("a disposed registration is never evicted", () => {
  const e = new Evictor();
  const a = candidate("b", 64);
  e.register(a)[Symbol.dispose]();
  assert.deepEqual(e.evict("z", { memoryMb: 1, cpuMillis: 0 }), []);
});
