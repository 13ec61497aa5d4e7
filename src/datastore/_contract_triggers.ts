/**
 * Datastore contract, triggers: CRUD, the checks of create and update in Fn's order,
 * lookups by source, listing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { messages } from "../models/api_error.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import {
  assertRejectsAPI,
  compareUtf8,
  type Harness,
  makeApp,
  makeFn,
  makeTrigger,
} from "./_contract_fixtures.ts";
import type { SqlDatastore } from "./sql_datastore.ts";

/** Two apps; app `a` has fns `f` and `g`, app `b` has fn `h`. */
async function scene(ds: SqlDatastore) {
  const a = await ds.insertApp(makeApp("a"));
  const b = await ds.insertApp(makeApp("b"));
  const f = await ds.insertFn(makeFn(a.id, "f"));
  const g = await ds.insertFn(makeFn(a.id, "g"));
  const h = await ds.insertFn(makeFn(b.id, "h"));
  return { a, b, f, g, h };
}

/** Runs the trigger cases as steps of `t`. */
export async function triggerContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step("insertTrigger() stores every field; lookups by id and source", async () => {
    await using ds = await h.fresh();
    const { a, f } = await scene(ds);
    const long = "/" + "seg/".repeat(500) + "é?q=1 x";
    const trig = makeTrigger(f, "ünï_t", long, { annotations: { "x/y": "z" } });
    assert.deepEqual(await ds.insertTrigger(trig), trig);
    assert.deepEqual(await ds.getTriggerById(trig.id), trig);
    assert.deepEqual(await ds.getTriggerBySource(a.id, "http", long), trig);
    await assertRejectsAPI(ds.getTriggerById("nope"), 404, messages.triggerNotFound);
    for (const [appId, type, source] of [["nope", "http", long], [a.id, "HTTP", long]]) {
      await assertRejectsAPI(
        ds.getTriggerBySource(appId!, type!, source!),
        404,
        "Trigger not found",
      );
    }
    // No trailing-space or case folding in the source lookup.
    await assertRejectsAPI(
      ds.getTriggerBySource(a.id, "http", long + " "),
      404,
      "Trigger not found",
    );
    await assertRejectsAPI(ds.getTriggerBySource(a.id, "http", "/SEG"), 404, "Trigger not found");
  });

  await t.step("insertTrigger() checks app, fn, owner, source, name in that order", async () => {
    await using ds = await h.fresh();
    const { a, b, f, g, h: hFn } = await scene(ds);
    await ds.insertTrigger(makeTrigger(f, "t", "/s"));
    const cases: [string, Trigger, number, string][] = [
      ["missing app", makeTrigger(f, "t", "/s", { appId: "nope" }), 404, messages.appNotFound],
      ["missing fn", makeTrigger(f, "t", "/s", { fnId: "nope" }), 404, messages.fnNotFound],
      [
        "fn of another app",
        makeTrigger(hFn, "x", "/x", { appId: a.id }),
        400,
        messages.fnNotOwnedByApp,
      ],
      ["same source, other fn", makeTrigger(g, "u", "/s"), 409, messages.triggerSourceExists],
      ["same source and name", makeTrigger(f, "t", "/s"), 409, messages.triggerSourceExists],
      ["same name", makeTrigger(f, "t", "/other"), 409, messages.triggerAlreadyExists],
    ];
    for (const [what, trig, status, message] of cases) {
      await assertRejectsAPI(ds.insertTrigger(trig), status, message).catch((err) => {
        throw new Error(`${what}: ${err.message}`, { cause: err });
      });
    }
    // Names are unique per fn, sources per app.
    await ds.insertTrigger(makeTrigger(g, "t", "/g"));
    await ds.insertTrigger(makeTrigger(hFn, "t", "/s"));
    assert.equal((await ds.listTriggers({ appId: a.id, limit: 10 })).length, 2);
    assert.equal((await ds.listTriggers({ appId: b.id, limit: 10 })).length, 1);
  });

  await t.step("updateTrigger() stores the result after the checks of create", async () => {
    await using ds = await h.fresh();
    const { a, b, f, g, h: hFn } = await scene(ds);
    const t1 = await ds.insertTrigger(makeTrigger(f, "t1", "/1"));
    await ds.insertTrigger(makeTrigger(g, "t2", "/2"));
    const update = (change: Partial<Trigger>) =>
      ds.updateTrigger(t1.id, (cur) => ({ ...cur, ...change }));
    await assertRejectsAPI(update({ fnId: "nope" }), 404, messages.fnNotFound);
    await assertRejectsAPI(update({ fnId: hFn.id }), 400, messages.fnNotOwnedByApp);
    await assertRejectsAPI(update({ source: "/2" }), 409, messages.triggerSourceExists);
    await assertRejectsAPI(update({ fnId: g.id, name: "t2" }), 409, messages.triggerAlreadyExists);
    assert.deepEqual(await ds.getTriggerById(t1.id), t1);

    const later = new Date("2027-01-01T00:00:00.000Z");
    const moved = await update({ fnId: g.id, source: "/new", appId: b.id, updatedAt: later });
    const want: Trigger = { ...t1, fnId: g.id, source: "/new", updatedAt: later };
    assert.deepEqual(moved, want);
    assert.deepEqual(await ds.getTriggerById(t1.id), want);
    assert.deepEqual(await ds.getTriggerBySource(a.id, "http", "/new"), want);
    await assertRejectsAPI(ds.getTriggerBySource(a.id, "http", "/1"), 404, "Trigger not found");
    // Keeping its own source and name is no clash.
    assert.deepEqual(await ds.updateTrigger(t1.id, (cur) => cur), want);
  });

  await t.step("updateTrigger() gives 404 and passes change's error", async () => {
    await using ds = await h.fresh();
    const { f } = await scene(ds);
    await assertRejectsAPI(ds.updateTrigger("nope", (x) => x), 404, messages.triggerNotFound);
    const trig = await ds.insertTrigger(makeTrigger(f, "t", "/t"));
    const boom = new Error("boom");
    await assert.rejects(
      ds.updateTrigger(trig.id, () => {
        throw boom;
      }),
      (err) => err === boom,
    );
  });

  await t.step("removeTrigger() removes one trigger; 404 when missing", async () => {
    await using ds = await h.fresh();
    const { a, f } = await scene(ds);
    const gone = await ds.insertTrigger(makeTrigger(f, "gone", "/gone"));
    const kept = await ds.insertTrigger(makeTrigger(f, "kept", "/kept"));
    await ds.removeTrigger(gone.id);
    await assertRejectsAPI(ds.removeTrigger(gone.id), 404, messages.triggerNotFound);
    assert.deepEqual(await ds.listTriggers({ appId: a.id, limit: 10 }), [kept]);
  });

  await t.step("listTriggers() filters by app, fn and name, ANDed, in byte order", async () => {
    await using ds = await h.fresh();
    const { a, b, f, g, h: hFn } = await scene(ds);
    const names = ["z", "Z", "é", "a", "_"];
    for (const [i, name] of names.entries()) {
      await ds.insertTrigger(makeTrigger(f, name, `/f${i}`));
      await ds.insertTrigger(makeTrigger(g, name, `/g${i}`));
    }
    await ds.insertTrigger(makeTrigger(hFn, "a", "/h"));
    const list = async (q: { fnId?: string; name?: string; afterName?: string }) =>
      (await ds.listTriggers({ appId: a.id, limit: 100, ...q })).map((x) =>
        `${x.name}@${x.source}`
      );
    const byName = [...names].sort(compareUtf8);
    assert.deepEqual(await list({ fnId: f.id }), byName.map((n) => `${n}@/f${names.indexOf(n)}`));
    assert.deepEqual((await list({})).length, 10);
    // Equal names are ordered by id, i.e. by creation.
    assert.deepEqual(await list({ name: "a" }), ["a@/f3", "a@/g3"]);
    assert.deepEqual(await list({ fnId: g.id, name: "a" }), ["a@/g3"]);
    assert.deepEqual(await list({ fnId: g.id, afterName: "Z" }), [
      "_@/g4",
      "a@/g3",
      "z@/g0",
      "é@/g2",
    ]);
    assert.deepEqual(await list({ fnId: hFn.id }), []);
    const inB = await ds.listTriggers({ appId: b.id, limit: 100 });
    assert.deepEqual(inB.map((x) => x.name), ["a"]);
    // Pages of 3 by (name, id) position: the second "_" is not skipped.
    const pages: string[][] = [];
    let after: { afterName?: string; afterId?: string } = {};
    for (let i = 0; i < 5; i++) {
      const page = await ds.listTriggers({ appId: a.id, limit: 3, ...after });
      pages.push(page.map((x) => `${x.name}@${x.source}`));
      const last = page.at(-1);
      if (last === undefined) break;
      after = { afterName: last.name, afterId: last.id };
    }
    assert.deepEqual(pages, [
      ["Z@/f1", "Z@/g1", "_@/f4"],
      ["_@/g4", "a@/f3", "a@/g3"],
      ["z@/f0", "z@/g0", "é@/f2"],
      ["é@/g2"],
      [],
    ]);
  });

  await t.step("listTriggers() after a (name, id) position loses and repeats nothing", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("app"));
    const fns: Fn[] = [];
    for (const name of ["f1", "f2", "f3"]) fns.push(await ds.insertFn(makeFn(app.id, name)));
    const all: Trigger[] = [];
    for (const name of ["b", "a"]) {
      for (const fn of fns) {
        all.push(await ds.insertTrigger(makeTrigger(fn, name, `/${fn.name}${name}`)));
      }
    }
    const want = [...all].sort((x, y) => compareUtf8(x.name, y.name) || compareUtf8(x.id, y.id));
    for (const limit of [1, 2, 3, 4]) {
      const seen: Trigger[] = [];
      let after: { afterName?: string; afterId?: string } = {};
      for (let i = 0; i < 10; i++) {
        const page = await ds.listTriggers({ appId: app.id, limit, ...after });
        seen.push(...page);
        const last = page.at(-1);
        if (page.length < limit || last === undefined) break;
        after = { afterName: last.name, afterId: last.id };
      }
      assert.deepEqual(seen, want, `limit ${limit}`);
    }
    // Fn's plain name cursor: the names strictly after it, whatever the fn.
    const afterA = await ds.listTriggers({ appId: app.id, limit: 10, afterName: "a" });
    assert.deepEqual(afterA.map((x) => x.source), ["/f1b", "/f2b", "/f3b"]);
    // With a name filter, the position still applies within that name.
    const middle = want.find((x) => x.name === "a" && x.fnId === fns[1]!.id)!;
    const rest = await ds.listTriggers({
      appId: app.id,
      name: "a",
      limit: 10,
      afterName: "a",
      afterId: middle.id,
    });
    assert.deepEqual(rest.map((x) => x.source), ["/f3a"]);
  });
}
