import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  isPrimaryKeyViolation,
  isSqliteBusy,
  isTransientConflict,
  uniqueViolation,
} from "./sql_errors.ts";

function sqliteError(setup: string, failing: string): unknown {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(setup);
    db.exec(failing);
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  throw new Error("expected the statement to fail");
}

Deno.test("uniqueViolation() names the key of each driver's error", async (t) => {
  const cases: [string, unknown, string | undefined][] = [
    ["pg", { code: "23505", constraint: "apps_name_unique" }, "apps_name_unique"],
    [
      "mysql",
      {
        errno: 1062,
        code: "ER_DUP_ENTRY",
        message: "Duplicate entry 'a' for key 'fns_app_id_name_unique'",
      },
      "fns_app_id_name_unique",
    ],
    [
      "sqlite unique",
      sqliteError(
        "create table t (a text, b text, constraint u unique (a, b)); insert into t values ('x', 'y')",
        "insert into t values ('x', 'y')",
      ),
      "t.a, t.b",
    ],
    [
      "sqlite primary key",
      sqliteError(
        "create table apps (id text primary key); insert into apps values ('x')",
        "insert into apps values ('x')",
      ),
      "apps.id",
    ],
    ["pg not null", { code: "23502", message: "null value" }, undefined],
    [
      "sqlite not null",
      sqliteError("create table t (a text not null)", "insert into t values (null)"),
      undefined,
    ],
    ["plain", new Error("boom"), undefined],
    ["not an object", "boom", undefined],
  ];
  for (const [name, err, want] of cases) {
    await t.step(name, () => assert.equal(uniqueViolation(err), want));
  }
});

Deno.test("isPrimaryKeyViolation() tells ids from names", async (t) => {
  const cases: [string, boolean][] = [
    ["apps_pkey", true],
    ["PRIMARY", true],
    ["apps.PRIMARY", true],
    ["apps.id", true],
    ["apps.name", false],
    ["apps_name_unique", false],
    ["triggers.app_id, triggers.type, triggers.source_hash", false],
  ];
  for (const [what, want] of cases) {
    await t.step(what, () => assert.equal(isPrimaryKeyViolation(what), want));
  }
});

Deno.test("isTransientConflict() knows deadlocks and serialization failures", () => {
  for (const err of [{ code: "40001" }, { code: "40P01" }, { errno: 1213 }, { errno: 1205 }]) {
    assert.ok(isTransientConflict(err), JSON.stringify(err));
  }
  for (const err of [{ code: "23505" }, { errno: 1062 }, new Error("x"), null]) {
    assert.ok(!isTransientConflict(err), JSON.stringify(err));
  }
});

Deno.test("isSqliteBusy() knows SQLITE_BUSY and SQLITE_LOCKED with extended codes", () => {
  assert.ok(isSqliteBusy({ errcode: 5 }));
  assert.ok(isSqliteBusy({ errcode: 517 })); // SQLITE_BUSY_SNAPSHOT
  assert.ok(isSqliteBusy({ errcode: 6 }));
  assert.ok(!isSqliteBusy({ errcode: 2067 }));
  assert.ok(!isSqliteBusy({ code: "40001" }));
  const fromExec = Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR" });
  assert.ok(isSqliteBusy(fromExec));
  assert.ok(!isSqliteBusy(new Error("database is locked")));
});
