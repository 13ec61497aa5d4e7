/**
 * Datastore contract, Fn's own tables: a database that an Fn server created and filled
 * opens, reads and enforces fnd's rules after migration 0002 adopts it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sql } from "kysely";
import { messages } from "../models/api_error.ts";
import { assertRejectsAPI, type Harness, makeApp, makeTrigger } from "./_contract_fixtures.ts";

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

/** Runs the adoption case as a step of `t`. */
export async function adoptionContract(t: Deno.TestContext, h: Harness): Promise<void> {
  await t.step("openDatastore() adopts tables and rows that Fn created", async () => {
    const location = await h.freshLocation();
    const db = h.raw(location);
    try {
      for (const statement of FN_DDL) await sql.raw(statement).execute(db);
    } finally {
      await db.destroy();
    }
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
