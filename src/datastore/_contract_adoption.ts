/**
 * Datastore contract, Fn's own tables: a database that an Fn server created and filled
 * opens, reads and enforces fnd's rules after migration 0002 adopts it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sql } from "kysely";
import { up as widenMaps } from "../../migrations/0003_wide_maps_on_mysql.ts";
import { messages } from "../models/api_error.ts";
import {
  assertRejectsAPI,
  type Harness,
  makeApp,
  makeFn,
  makeTrigger,
} from "./_contract_fixtures.ts";
import { largeConfig, largestAnnotations } from "./_contract_sizes.ts";

/** Fn v0.3.753's tables (schema version 26), in SQL every dialect accepts. */
const FN_DDL = [
  `CREATE TABLE apps (id varchar(256) NOT NULL PRIMARY KEY, name varchar(256) NOT NULL UNIQUE,
    config text NOT NULL, annotations text NOT NULL, syslog_url text,
    created_at varchar(256), updated_at varchar(256), shape text)`,
  `CREATE TABLE fns (id varchar(256) NOT NULL PRIMARY KEY, name varchar(256) NOT NULL,
    app_id varchar(256) NOT NULL, image varchar(256) NOT NULL, memory int NOT NULL,
    timeout int NOT NULL, idle_timeout int NOT NULL, config text NOT NULL,
    annotations text NOT NULL, created_at varchar(256) NOT NULL,
    updated_at varchar(256) NOT NULL, shape text,
    CONSTRAINT name_app_id_unique UNIQUE (app_id, name))`,
  `CREATE TABLE triggers (id varchar(256) NOT NULL PRIMARY KEY, name varchar(256) NOT NULL,
    app_id varchar(256) NOT NULL, fn_id varchar(256) NOT NULL,
    created_at varchar(256) NOT NULL, updated_at varchar(256) NOT NULL,
    type varchar(256) NOT NULL, source varchar(256) NOT NULL, annotations text NOT NULL,
    CONSTRAINT name_app_id_fn_id_unique UNIQUE (app_id, fn_id, name))`,
  `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`,
  `INSERT INTO schema_migrations (version, dirty) VALUES (26, false)`,
  `INSERT INTO apps VALUES ('A1', 'a', '{"K":"v"}\n', '', NULL,
    '2026-11-22T14:45:17.044+02:00', '2026-11-22T12:45:17.044Z', '')`,
  `INSERT INTO apps VALUES ('A2', 'B', '', '{"x":{"y":1}}\n', 'tcp://l:1',
    '2026-11-22T12:45:17.044Z', '2026-11-22T12:45:17.044Z', NULL)`,
  `INSERT INTO fns VALUES ('F1', 'f', 'A1', 'img:1', 128, 30, 30, '', '',
    '2026-11-22T12:45:17.044Z', '2026-11-22T12:45:17.044Z', '')`,
  `INSERT INTO triggers VALUES ('T1', 't', 'A1', 'F1', '2026-11-22T12:45:17.044Z',
    '2026-11-22T12:45:17.044Z', 'http', '/hook', '')`,
];

/** The column types of the map columns, as `table.column type nullable collation`. */
async function mapColumns(h: Harness, location: Parameters<Harness["raw"]>[0]) {
  if (h.server.dialect !== "mysql") return [];
  const db = h.raw(location);
  try {
    const { rows } = await sql<{ c: string }>`
      select concat_ws(' ', concat(table_name, '.', column_name), data_type, is_nullable,
        collation_name) as c
      from information_schema.columns
      where table_schema = database() and column_name in ('config', 'annotations')
      order by table_name, column_name`.execute(db);
    return rows.map((r) => r.c);
  } finally {
    await db.destroy();
  }
}

async function createFnTables(h: Harness) {
  const location = await h.freshLocation();
  const db = h.raw(location);
  try {
    for (const statement of FN_DDL) await sql.raw(statement).execute(db);
  } finally {
    await db.destroy();
  }
  return location;
}

/** Runs the adoption cases as steps of `t`. */
export async function adoptionContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step(
    "openDatastore() widens Fn's map columns on MySQL; 0003 again is a no-op",
    async () => {
      const location = await createFnTables(h);
      await using ds = await h.open(location);
      const app = makeApp("big", { config: largeConfig(), annotations: largestAnnotations() });
      assert.deepEqual(await ds.getAppById((await ds.insertApp(app)).id), app);
      const fn = makeFn(app.id, "f", { annotations: largestAnnotations() });
      assert.deepEqual(await ds.getFnById((await ds.insertFn(fn)).id), fn);
      const wide = await mapColumns(h, location);
      if (h.server.dialect === "mysql") {
        assert.deepEqual(wide, [
          "apps.annotations mediumtext NO utf8mb4_bin",
          "apps.config longtext NO utf8mb4_bin",
          "fns.annotations mediumtext NO utf8mb4_bin",
          "fns.config longtext NO utf8mb4_bin",
          "triggers.annotations mediumtext NO utf8mb4_bin",
        ]);
      }
      const db = h.raw(location);
      try {
        await widenMaps(db, h.server.dialect);
      } finally {
        await db.destroy();
      }
      assert.deepEqual(await mapColumns(h, location), wide);
      assert.deepEqual(await ds.getAppById(app.id), app);
    },
  );

  await t.step("openDatastore() adopts tables and rows that Fn created", async () => {
    const location = await createFnTables(h);
    await using ds = await h.open(location);
    const a = await ds.getAppByName("a");
    assert.deepEqual(a, {
      id: "A1",
      name: "a",
      config: { K: "v" },
      annotations: {},
      createdAt: new Date("2026-11-22T12:45:17.044Z"),
      updatedAt: new Date("2026-11-22T12:45:17.044Z"),
    });
    const b = await ds.getAppById("A2");
    assert.deepEqual([b.annotations, b.syslogUrl, b.shape], [
      { x: { y: 1 } },
      "tcp://l:1",
      undefined,
    ]);
    assert.deepEqual((await ds.listApps({ limit: 10 })).map((x) => x.name), ["B", "a"]);
    await ds.insertApp(makeApp("A"));
    const fn = await ds.getFnById("F1");
    assert.deepEqual([fn.config, fn.memoryMb], [{}, 128]);
    assert.equal((await ds.getTriggerBySource("A1", "http", "/hook")).id, "T1");
    await assertRejectsAPI(
      ds.insertTrigger(makeTrigger(fn, "t2", "/hook")),
      409,
      messages.triggerSourceExists,
    );
    await ds.insertTrigger(makeTrigger(fn, "t2", "/" + "long/".repeat(100)));
  });
}
