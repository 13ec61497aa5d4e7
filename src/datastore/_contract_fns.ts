/**
 * Datastore contract, fns: CRUD, 404/409, the app's shape, listing, cascades.
 *
 * @module
 */

import assert from "node:assert/strict";
import { messages } from "../models/api_error.ts";
import type { Fn } from "../models/fn.ts";
import { insertAll } from "./_contract_apps.ts";
import {
  assertRejectsAPI,
  compareUtf8,
  type Harness,
  makeApp,
  makeFn,
  makeTrigger,
} from "./_contract_fixtures.ts";

/** Runs the fn cases as steps of `t`. */
export async function fnContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step("insertFn() stores every field, with the app's shape", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("a", { shape: "GENERIC_X86_ARM" }));
    const fn = makeFn(app.id, "f.n~$&+:=@_-", {
      image: `registry.example.com/${"x".repeat(300)}:1`,
      memoryMb: 8192,
      timeoutSeconds: 300,
      idleTimeoutSeconds: 3600,
      config: { K: "v", E: "" },
      annotations: { "fnproject.io/x": [1, { "b": 2 }] },
      shape: "GENERIC_ARM",
    });
    const want: Fn = { ...fn, shape: "GENERIC_X86_ARM" };
    assert.deepEqual(await ds.insertFn(fn), want);
    assert.deepEqual(await ds.getFnById(fn.id), want);
    const plainApp = await ds.insertApp(makeApp("plain"));
    const plain = await ds.insertFn(makeFn(plainApp.id, "f", { shape: "GENERIC_ARM" }));
    assert.equal(plain.shape, undefined);
    assert.equal((await ds.getFnById(plain.id)).shape, undefined);
  });

  await t.step("insertFn() gives 404 App not found for a missing app", async () => {
    await using ds = await h.fresh();
    await assertRejectsAPI(ds.insertFn(makeFn("nope", "f")), 404, messages.appNotFound);
    await assertRejectsAPI(ds.getFnById("nope"), 404, messages.fnNotFound);
  });

  await t.step("insertFn() gives 409 when the name is taken in the app only", async () => {
    await using ds = await h.fresh();
    const a = await ds.insertApp(makeApp("a"));
    const b = await ds.insertApp(makeApp("b"));
    await ds.insertFn(makeFn(a.id, "f"));
    await assertRejectsAPI(ds.insertFn(makeFn(a.id, "f")), 409, messages.fnAlreadyExists);
    await ds.insertFn(makeFn(b.id, "f"));
    await ds.insertFn(makeFn(a.id, "F"));
  });

  await t.step("updateFn() stores what change returns; id and app stay", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("a"));
    const other = await ds.insertApp(makeApp("other"));
    const fn = await ds.insertFn(makeFn(app.id, "f", { config: { a: "1" } }));
    const updated = await ds.updateFn(fn.id, (cur) => {
      assert.deepEqual(cur, fn);
      return { ...cur, id: "x", appId: other.id, image: "new:2", memoryMb: 256, config: {} };
    });
    const want: Fn = { ...fn, image: "new:2", memoryMb: 256, config: {} };
    assert.deepEqual(updated, want);
    assert.deepEqual(await ds.getFnById(fn.id), want);
    assert.deepEqual(await ds.listFns({ appId: other.id, limit: 10 }), []);
  });

  await t.step(
    "updateFn() gives 404, 409 on a rename clash, and passes change's error",
    async () => {
      await using ds = await h.fresh();
      await assertRejectsAPI(ds.updateFn("nope", (f) => f), 404, messages.fnNotFound);
      const app = await ds.insertApp(makeApp("a"));
      const f = await ds.insertFn(makeFn(app.id, "f"));
      await ds.insertFn(makeFn(app.id, "g"));
      await assertRejectsAPI(
        ds.updateFn(f.id, (cur) => ({ ...cur, name: "g" })),
        409,
        messages.fnAlreadyExists,
      );
      const boom = new Error("boom");
      await assert.rejects(
        ds.updateFn(f.id, () => {
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await ds.getFnById(f.id), f);
    },
  );

  await t.step("removeFn() removes the fn with its triggers only", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("a"));
    const gone = await ds.insertFn(makeFn(app.id, "gone"));
    const kept = await ds.insertFn(makeFn(app.id, "kept"));
    await ds.insertTrigger(makeTrigger(gone, "t1", "/g1"));
    await ds.insertTrigger(makeTrigger(gone, "t2", "/g2"));
    const keptTrigger = await ds.insertTrigger(makeTrigger(kept, "t1", "/k"));
    await ds.removeFn(gone.id);
    await assertRejectsAPI(ds.getFnById(gone.id), 404, messages.fnNotFound);
    assert.deepEqual(await ds.listTriggers({ appId: app.id, limit: 10 }), [keptTrigger]);
    await assertRejectsAPI(ds.removeFn(gone.id), 404, messages.fnNotFound);
    // The source is free again.
    await ds.insertTrigger(makeTrigger(kept, "t2", "/g1"));
  });

  await t.step("listFns() filters by app and name and pages in byte order", async () => {
    await using ds = await h.fresh();
    const a = await ds.insertApp(makeApp("a"));
    const b = await ds.insertApp(makeApp("b"));
    const names = Array.from({ length: 40 }, (_, i) => `fn${(i * 37) % 41}.${i % 3 ? "x" : "X"}`);
    await insertAll(names, (name) => ds.insertFn(makeFn(a.id, name)));
    await ds.insertFn(makeFn(b.id, "fn0.X"));
    const sorted = [...names].sort(compareUtf8);
    const seen: string[] = [];
    let afterName: string | undefined;
    for (;;) {
      const page = await ds.listFns({ appId: a.id, limit: 7, ...(afterName ? { afterName } : {}) });
      seen.push(...page.map((f) => f.name));
      if (page.length < 7) break;
      afterName = page[page.length - 1]!.name;
    }
    assert.deepEqual(seen, sorted);
    const named = await ds.listFns({ appId: b.id, name: "fn0.X", limit: 10 });
    assert.deepEqual(named.map((f) => [f.appId, f.name]), [[b.id, "fn0.X"]]);
    assert.deepEqual(await ds.listFns({ appId: "nope", limit: 10 }), []);
  });
}
