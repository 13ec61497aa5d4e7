import assert from "node:assert/strict";
import type { Datastore } from "../datastore/datastore.ts";
import type { Fn } from "../models/fn.ts";
import { ownLookupCache } from "./own_lookup_cache.ts";

/** A datastore double that counts reads and keeps one fn. */
class CountingStore {
  reads = 0;
  #fn = { id: "F1", name: "v1" } as Fn;
  #secret = "private fields still work through the wrapper";

  getFnById(_id: string): Promise<Fn> {
    this.reads++;
    return Promise.resolve(this.#fn);
  }

  updateFn(_id: string, change: (current: Fn) => Fn): Promise<Fn> {
    this.#fn = change(this.#fn);
    return Promise.resolve(this.#fn);
  }

  ping(): Promise<string> {
    return Promise.resolve(this.#secret);
  }
}

Deno.test("ownLookupCache() caches lookups and drops them when the node writes", async () => {
  const store = new CountingStore();
  const { datastore, lookup } = ownLookupCache(store as unknown as Datastore);
  assert.equal((await lookup.getFnById("F1")).name, "v1");
  assert.equal((await lookup.getFnById("F1")).name, "v1");
  assert.equal(store.reads, 1, "the second lookup comes from the cache");
  await datastore.updateFn("F1", (fn) => ({ ...fn, name: "v2" }));
  assert.equal((await lookup.getFnById("F1")).name, "v2", "the node's own update is seen at once");
  assert.equal(store.reads, 2);
  assert.equal(
    await (datastore as unknown as CountingStore).ping(),
    "private fields still work through the wrapper",
  );
});
