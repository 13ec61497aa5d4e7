/**
 * Datastore contract, concurrency: unique races settled by the database, cascades racing
 * inserts, and migrations run twice, at once, and from two processes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { messages } from "../models/api_error.ts";
import { parseDbUrl } from "./db_url.ts";
import { type Harness, makeApp, makeFn, makeTrigger, tally } from "./_contract_fixtures.ts";

const RACERS = 20;

/** Runs `RACERS` copies of `attempt` at once and tallies the outcomes. */
async function race(attempt: (i: number) => Promise<unknown>) {
  return tally(await Promise.allSettled(Array.from({ length: RACERS }, (_, i) => attempt(i))));
}

/** Runs the race and migration cases as steps of `t`. */
export async function concurrencyContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step("20 concurrent inserts of one name: 1 success and 19 × 409", async (t) => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("app"));
    const fn = await ds.insertFn(makeFn(app.id, "fn"));
    const want = (message: string) => ({ ok: 1, errors: { [`409 ${message}`]: RACERS - 1 } });
    await t.step("apps", async () => {
      assert.deepEqual(
        await race(() => ds.insertApp(makeApp("same"))),
        want(messages.appAlreadyExists),
      );
    });
    await t.step("fns", async () => {
      const result = await race(() => ds.insertFn(makeFn(app.id, "same")));
      assert.deepEqual(result, want(messages.fnAlreadyExists));
    });
    await t.step("trigger sources", async () => {
      const result = await race((i) => ds.insertTrigger(makeTrigger(fn, `t${i}`, "/same")));
      assert.deepEqual(result, want(messages.triggerSourceExists));
    });
    await t.step("trigger names", async () => {
      const result = await race((i) => ds.insertTrigger(makeTrigger(fn, "same", `/s${i}`)));
      assert.deepEqual(result, want(messages.triggerAlreadyExists));
    });
    await t.step("app renames", async () => {
      const apps = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => ds.insertApp(makeApp(`r${i}`))),
      );
      const result = await race((i) =>
        ds.updateApp(apps[i]!.id, (a) => ({ ...a, name: "renamed" }))
      );
      assert.deepEqual(result, want(messages.appAlreadyExists));
    });
  });

  await t.step("removeApp() racing insertFn() and insertTrigger() leaves no orphans", async () => {
    await using ds = await h.fresh();
    const app = await ds.insertApp(makeApp("doomed"));
    const fn = await ds.insertFn(makeFn(app.id, "first"));
    const work: Promise<unknown>[] = [
      ...Array.from({ length: 10 }, (_, i) => ds.insertFn(makeFn(app.id, `f${i}`))),
      ...Array.from({ length: 10 }, (_, i) => ds.insertTrigger(makeTrigger(fn, `t${i}`, `/${i}`))),
    ];
    work.splice(7, 0, ds.removeApp(app.id));
    const { errors } = tally(await Promise.allSettled(work));
    for (const key of Object.keys(errors)) {
      assert.ok(key === `404 ${messages.appNotFound}`, `unexpected failure ${key}`);
    }
    assert.deepEqual(await ds.listFns({ appId: app.id, limit: 100 }), []);
    assert.deepEqual(await ds.listTriggers({ appId: app.id, limit: 100 }), []);
  });

  await t.step("openDatastore() on a migrated database keeps the data", async () => {
    const location = await h.freshLocation();
    {
      await using ds = await h.open(location);
      await ds.insertApp(makeApp("survivor"));
    }
    await using again = await h.open(location);
    assert.equal((await again.getAppByName("survivor")).name, "survivor");
    await assertFnVersion(h, location);
  });

  await t.step("two datastores migrating one fresh database at once both work", async () => {
    const location = await h.freshLocation();
    const [one, two] = await Promise.all([h.open(location), h.open(location)]);
    await using _one = one;
    await using _two = two;
    await one.insertApp(makeApp("from-one"));
    assert.equal((await two.getAppByName("from-one")).name, "from-one");
    await assertFnVersion(h, location);
  });

  await t.step("two processes migrating one fresh database at once both succeed", async () => {
    const url = await h.server.createDatabase();
    const outputs = await Promise.all([openInSubprocess(url), openInSubprocess(url)]);
    for (const out of outputs) {
      assert.ok(out.success, `subprocess failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    await using ds = await h.open(parseDbUrl(url));
    assert.deepEqual(await ds.listApps({ limit: 10 }), []);
  });
}

async function assertFnVersion(h: Harness, location: Parameters<Harness["raw"]>[0]) {
  const db = h.raw(location);
  try {
    const rows = await db.selectFrom("schema_migrations").select("version").execute();
    assert.deepEqual(rows.map((r) => Number(r.version)), [26]);
  } finally {
    await db.destroy();
  }
}

function openInSubprocess(url: string): Promise<Deno.CommandOutput> {
  const script = fileURLToPath(new URL("./_contract_open_once.ts", import.meta.url));
  const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", `--config=${config}`, script, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
}
