import assert from "node:assert/strict";
import { fixedLookup, testApp, testFn, testTrigger } from "../../tests/_fake_agent.ts";
import type { EntityLookup } from "./route_context.ts";
import { CachedLookup } from "./cached_lookup.ts";

function counting(source: EntityLookup) {
  const calls: string[] = [];
  const lookup: EntityLookup = {
    getAppById: (id) => (calls.push("app"), source.getAppById(id)),
    getAppByName: (name) => (calls.push("appname"), source.getAppByName(name)),
    getFnById: (id) => (calls.push("fn"), source.getFnById(id)),
    getTriggerBySource: (a, t, s) => (calls.push("trigger"), source.getTriggerBySource(a, t, s)),
  };
  return { lookup, calls };
}

Deno.test("CachedLookup answers repeated lookups from the cache until the TTL passes", async () => {
  let now = 1000;
  const { lookup, calls } = counting(fixedLookup());
  const cache = new CachedLookup(lookup, { ttlMs: 5000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(await cache.getAppById("APP1"), testApp);
    assert.equal(await cache.getAppByName("myapp"), testApp);
    assert.equal(await cache.getFnById("FN1"), testFn);
    assert.equal(await cache.getTriggerBySource("APP1", "http", "/probe"), testTrigger);
  }
  assert.deepEqual(calls, ["app", "appname", "fn", "trigger"]);
  now += 5000;
  await cache.getFnById("FN1");
  assert.equal(calls.length, 5);
});

Deno.test("CachedLookup does not remember failures", async () => {
  const { lookup, calls } = counting(fixedLookup());
  const cache = new CachedLookup(lookup);
  await assert.rejects(cache.getFnById("nope"), /Fn not found/);
  await assert.rejects(cache.getFnById("nope"), /Fn not found/);
  assert.equal(calls.length, 2);
});

Deno.test("CachedLookup keeps at most maxEntries", async () => {
  const { lookup, calls } = counting(fixedLookup());
  const cache = new CachedLookup(lookup, { maxEntries: 1 });
  await cache.getFnById("FN1");
  await cache.getAppById("APP1");
  await cache.getFnById("FN1");
  assert.deepEqual(calls, ["fn", "app", "fn"]);
});

Deno.test("CachedLookup refuses a TTL above Fn's 5 s", () => {
  assert.throws(
    () => new CachedLookup(fixedLookup(), { ttlMs: 6000 }),
    /'ttlMs' must be between 0 and 5000: current value is 6000/,
  );
});
