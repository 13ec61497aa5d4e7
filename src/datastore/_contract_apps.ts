/**
 * Datastore contract, apps: CRUD, 404/409, listing order and pagination, cascades.
 *
 * @module
 */

import assert from "node:assert/strict";
import { messages } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import { exactJsonNumber, parseJsonExact } from "../models/exact_json.ts";
import {
  assertRejectsAPI,
  compareUtf8,
  type Harness,
  makeApp,
  makeFn,
  makeTrigger,
} from "./_contract_fixtures.ts";

/** Runs the app cases as steps of `t`. */
export async function appContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step("insertApp() stores every field and the getters read it back", async () => {
    await using ds = await h.fresh();
    const app = makeApp("ünï_-3", {
      config: { A: "b", "": "empty key", "a b": "" },
      annotations: { "k": { "x": 1, "a": [true, null, "s"] }, "n": 1.5, "s": "é" },
      syslogUrl: "tcp://logs.example.com:514",
      shape: "GENERIC_ARM",
      createdAt: new Date("2026-01-02T03:04:05.678Z"),
      updatedAt: new Date("2026-01-02T03:04:06.789Z"),
    });
    assert.deepEqual(await ds.insertApp(app), app);
    assert.deepEqual(await ds.getAppById(app.id), app);
    assert.deepEqual(await ds.getAppByName("ünï_-3"), app);
  });

  await t.step("insertApp() stores Fn's encodings: JSON + newline, '' when empty", async () => {
    const location = await h.freshLocation();
    {
      await using ds = await h.open(location);
      await ds.insertApp(makeApp("plain"));
      await ds.insertApp(makeApp("full", { config: { b: "2", a: "1" }, syslogUrl: "udp://x:1" }));
    }
    const db = h.raw(location);
    try {
      const rows = await db.selectFrom("apps").selectAll().orderBy("name").execute();
      assert.deepEqual(rows.map((r) => [r.name, r.config, r.annotations, r.syslog_url]), [
        ["full", '{"a":"1","b":"2"}\n', "", "udp://x:1"],
        ["plain", "", "", null],
      ]);
      assert.equal(rows[0]!.created_at, "2026-11-22T12:45:17.044Z");
      assert.equal(rows[0]!.shape, "");
    } finally {
      await db.destroy();
    }
  });

  await t.step("insertApp() and updateApp() keep annotation numbers as written", async () => {
    await using ds = await h.fresh();
    const text = '{"e":1e400,"k":12345678901234567890,"o":{"x":[1.0,-0,7]}}';
    const annotations = parseJsonExact(text) as App["annotations"];
    const app = await ds.insertApp(makeApp("nums", { annotations }));
    assert.equal(JSON.stringify((await ds.getAppById(app.id)).annotations), text);
    const more = { ...annotations, f: exactJsonNumber("2.50") };
    await ds.updateApp(app.id, (a) => ({ ...a, annotations: more }));
    assert.equal(
      JSON.stringify((await ds.getAppByName("nums")).annotations),
      text.replace('"k"', '"f":2.50,"k"'),
    );
  });

  await t.step("getAppById() and getAppByName() give 404 for a missing app", async () => {
    await using ds = await h.fresh();
    await assertRejectsAPI(ds.getAppById("nope"), 404, messages.appNotFound);
    await assertRejectsAPI(ds.getAppByName("nope"), 404, messages.appNotFound);
  });

  await t.step("insertApp() gives 409 when the name is taken, and keeps the first", async () => {
    await using ds = await h.fresh();
    const first = await ds.insertApp(makeApp("taken", { config: { v: "1" } }));
    await assertRejectsAPI(ds.insertApp(makeApp("taken")), 409, messages.appAlreadyExists);
    assert.deepEqual(await ds.getAppByName("taken"), first);
    // Case and accents make different names.
    await ds.insertApp(makeApp("Taken"));
    await ds.insertApp(makeApp("takén"));
  });

  await t.step("updateApp() stores what change returns, keeping the id", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("u", { config: { a: "1" } }));
    const later = new Date("2027-01-01T00:00:00.000Z");
    const updated = await ds.updateApp(app.id, (cur) => {
      assert.deepEqual(cur, app);
      return { ...cur, id: "ignored", config: { b: "2" }, syslogUrl: undefined, updatedAt: later };
    });
    const want: App = { ...app, config: { b: "2" }, updatedAt: later };
    assert.deepEqual(updated, want);
    assert.deepEqual(await ds.getAppById(app.id), want);
  });

  await t.step(
    "updateApp() gives 404, 409 on a rename clash, and passes change's error",
    async () => {
      await using ds = await h.fresh();
      await assertRejectsAPI(ds.updateApp("nope", (a) => a), 404, messages.appNotFound);
      const a = await ds.insertApp(makeApp("a"));
      await ds.insertApp(makeApp("b"));
      await assertRejectsAPI(
        ds.updateApp(a.id, (cur) => ({ ...cur, name: "b" })),
        409,
        messages.appAlreadyExists,
      );
      const boom = new Error("boom");
      await assert.rejects(
        ds.updateApp(a.id, () => {
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await ds.getAppById(a.id), a);
    },
  );

  await t.step("removeApp() removes the app with its fns and triggers only", async () => {
    await using ds = await h.fresh();
    const gone = await ds.insertApp(makeApp("gone"));
    const kept = await ds.insertApp(makeApp("kept"));
    for (const app of [gone, kept]) {
      const fn = await ds.insertFn(makeFn(app.id, "f"));
      await ds.insertTrigger(makeTrigger(fn, "t", "/t"));
      await ds.insertFn(makeFn(app.id, "g"));
    }
    await ds.removeApp(gone.id);
    await assertRejectsAPI(ds.getAppById(gone.id), 404, messages.appNotFound);
    assert.deepEqual(await ds.listFns({ appId: gone.id, limit: 100 }), []);
    assert.deepEqual(await ds.listTriggers({ appId: gone.id, limit: 100 }), []);
    assert.equal((await ds.listFns({ appId: kept.id, limit: 100 })).length, 2);
    assert.equal((await ds.listTriggers({ appId: kept.id, limit: 100 })).length, 1);
    await assertRejectsAPI(ds.removeApp(gone.id), 404, messages.appNotFound);
    // The name is free again.
    await ds.insertApp(makeApp("gone"));
  });

  await t.step("listApps() orders names as UTF-8 bytes and pages after a name", async () => {
    await using ds = await h.fresh();
    // UTF-16 order would put "𝔘" (a surrogate pair) before "Ａ" (U+FF21); bytes do not.
    const names = ["a", "B", "é", "Z", "z", "É", "_x", "-y", "0", "Ａ", "𝔘", "ünï_-3", "ab"];
    for (const name of names) await ds.insertApp(makeApp(name));
    const sorted = [...names].sort(compareUtf8);
    assert.deepEqual(sorted.slice(0, 6), ["-y", "0", "B", "Z", "_x", "a"]);
    const all = await ds.listApps({ limit: 100 });
    assert.deepEqual(all.map((a) => a.name), sorted);
    const after = await ds.listApps({ afterName: "é", limit: 3 });
    assert.deepEqual(after.map((a) => a.name), sorted.slice(sorted.indexOf("é") + 1).slice(0, 3));
    assert.deepEqual((await ds.listApps({ name: "É", limit: 5 })).map((a) => a.name), ["É"]);
    assert.deepEqual(await ds.listApps({ name: "É", afterName: "É", limit: 5 }), []);
    assert.deepEqual(await ds.listApps({ name: "missing", limit: 5 }), []);
  });

  await t.step("listApps() pages through 250 apps without losing or repeating one", async () => {
    await using ds = await h.fresh();
    const names = Array.from({ length: 250 }, (_, i) => `app-${(i * 7919) % 1000}-${i}`);
    await insertAll(names, (name) => ds.insertApp(makeApp(name)));
    const sorted = [...names].sort(compareUtf8);
    for (const limit of [7, 100]) {
      const seen: string[] = [];
      let afterName: string | undefined;
      for (;;) {
        const page = await ds.listApps({ limit, ...(afterName ? { afterName } : {}) });
        seen.push(...page.map((a) => a.name));
        if (page.length < limit) break;
        afterName = page[page.length - 1]!.name;
      }
      assert.deepEqual(seen, sorted, `per page ${limit}`);
    }
  });

  await t.step("listApps() rejects a page size below 1", async () => {
    await using ds = await h.fresh();
    await assert.rejects(ds.listApps({ limit: 0 }), RangeError);
  });
}

/** Inserts in small concurrent batches (fast on every dialect, gentle on 2 cores). */
export async function insertAll<T>(
  items: readonly T[],
  insert: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += 10) {
    await Promise.all(items.slice(i, i + 10).map(insert));
  }
}
