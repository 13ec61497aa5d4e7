/**
 * Adopts tables that an Fn server created (0001 leaves existing tables alone): when
 * `triggers` has no `source_hash` yet, this makes the names byte-ordered, widens the
 * columns fnd stores as text, fills in the source hashes and adds the unique key on
 * (app_id, type, source_hash). On tables made by 0001 it does nothing.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import { sourceHash } from "../src/datastore/row_mapping.ts";
import type { SqlDialectName } from "../src/datastore/tables.ts";
import { columnsOf } from "./_columns_of.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/** Key columns per table that must compare as bytes. */
const KEY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  apps: ["name"],
  fns: ["name", "app_id"],
  triggers: ["name", "app_id", "fn_id", "type"],
};

/** Adopts Fn-made tables; a no-op on fnd-made ones. */
export async function up(db: Db, dialect: SqlDialectName): Promise<void> {
  const columns = await columnsOf(db, dialect, "triggers");
  if (columns.length === 0 || columns.includes("source_hash")) return;

  if (dialect === "postgres") await collatePostgres(db);
  if (dialect === "mysql") await collateMysql(db);
  await db.schema.alterTable("triggers").addColumn("source_hash", "char(64)").execute();
  const rows = await db.selectFrom("triggers").select(["id", "source"]).execute();
  for (const row of rows) {
    await db.updateTable("triggers")
      .set({ source_hash: sourceHash(String(row.source)) })
      .where("id", "=", row.id)
      .execute();
  }
  await db.schema.createIndex("triggers_app_id_type_source_unique")
    .on("triggers")
    .columns(["app_id", "type", "source_hash"])
    .unique()
    .execute();
}

async function collatePostgres(db: Db): Promise<void> {
  for (const [table, columns] of Object.entries(KEY_COLUMNS)) {
    for (const column of columns) {
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)}
        type varchar(256) collate "C"`.execute(db);
    }
  }
  await sql`alter table fns alter column image type text`.execute(db);
  await sql`alter table triggers alter column source type text collate "C"`.execute(db);
}

async function collateMysql(db: Db): Promise<void> {
  for (const table of Object.keys(KEY_COLUMNS)) {
    await sql`alter table ${sql.table(table)}
      convert to character set utf8mb4 collate utf8mb4_bin`.execute(db);
  }
  await sql`alter table fns modify image text not null`.execute(db);
  await sql`alter table triggers modify source text not null`.execute(db);
}
