/**
 * Fn's tables (`apps`, `fns`, `triggers`, as Fn v0.3.753 leaves them at schema version
 * 26) with byte-ordered names, plus what fnd adds: `triggers.source_hash` and the unique
 * key on (app_id, type, source_hash). Every unique rule of the datastore is a
 * constraint here, so the database itself settles races.
 *
 * `schema_migrations` records Fn's version 26, so an Fn server pointed at the same
 * database finds it current and does not try to migrate it.
 *
 * @module
 */

import type { CreateTableBuilder, Kysely } from "kysely";
import type { SqlDialectName } from "../src/datastore/tables.ts";
import { tableOptions, text, varchar256 } from "./_column_types.ts";

/** The schema version Fn v0.3.753 writes in `schema_migrations`. */
export const FN_SCHEMA_VERSION = 26;

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;
// deno-lint-ignore no-explicit-any
type Table = CreateTableBuilder<any, any>;

function withOptions(table: Table, dialect: SqlDialectName): Table {
  const options = tableOptions(dialect);
  return options ? table.modifyEnd(options) : table;
}

/** Creates the tables that do not exist yet. */
export async function up(db: Db, dialect: SqlDialectName): Promise<void> {
  const key = varchar256(dialect);
  const txt = text(dialect);
  await withOptions(
    db.schema.createTable("apps").ifNotExists()
      .addColumn("id", key, (c) => c.notNull().primaryKey())
      .addColumn("name", key, (c) => c.notNull())
      .addColumn("config", txt, (c) => c.notNull())
      .addColumn("annotations", txt, (c) => c.notNull())
      .addColumn("syslog_url", txt)
      .addColumn("created_at", key)
      .addColumn("updated_at", key)
      .addColumn("shape", txt)
      .addUniqueConstraint("apps_name_unique", ["name"]),
    dialect,
  ).execute();
  await withOptions(
    db.schema.createTable("fns").ifNotExists()
      .addColumn("id", key, (c) => c.notNull().primaryKey())
      .addColumn("name", key, (c) => c.notNull())
      .addColumn("app_id", key, (c) => c.notNull())
      // Fn has varchar(256); text, because image references have no length limit.
      .addColumn("image", txt, (c) => c.notNull())
      .addColumn("memory", "integer", (c) => c.notNull())
      .addColumn("timeout", "integer", (c) => c.notNull())
      .addColumn("idle_timeout", "integer", (c) => c.notNull())
      .addColumn("config", txt, (c) => c.notNull())
      .addColumn("annotations", txt, (c) => c.notNull())
      .addColumn("created_at", key, (c) => c.notNull())
      .addColumn("updated_at", key, (c) => c.notNull())
      .addColumn("shape", txt)
      .addUniqueConstraint("fns_app_id_name_unique", ["app_id", "name"]),
    dialect,
  ).execute();
  await createTriggers(db, dialect);
  await createSchemaMigrations(db, dialect);
}

async function createTriggers(db: Db, dialect: SqlDialectName): Promise<void> {
  const key = varchar256(dialect);
  const txt = text(dialect);
  // With utf8mb4 on MySQL each varchar(256) key part is 1024 bytes: (app_id, fn_id, name)
  // is exactly InnoDB's 3072-byte limit, and the source is keyed by its 64-byte hash.
  await withOptions(
    db.schema.createTable("triggers").ifNotExists()
      .addColumn("id", key, (c) => c.notNull().primaryKey())
      .addColumn("name", key, (c) => c.notNull())
      .addColumn("app_id", key, (c) => c.notNull())
      .addColumn("fn_id", key, (c) => c.notNull())
      .addColumn("created_at", key, (c) => c.notNull())
      .addColumn("updated_at", key, (c) => c.notNull())
      .addColumn("type", key, (c) => c.notNull())
      // Fn has varchar(256); text, because sources have no length limit.
      .addColumn("source", txt, (c) => c.notNull())
      .addColumn("annotations", txt, (c) => c.notNull())
      // Nullable so that an Fn server sharing the database can still insert.
      .addColumn("source_hash", "char(64)")
      .addUniqueConstraint("triggers_app_id_fn_id_name_unique", ["app_id", "fn_id", "name"])
      .addUniqueConstraint("triggers_app_id_type_source_unique", [
        "app_id",
        "type",
        "source_hash",
      ]),
    dialect,
  ).execute();
}

async function createSchemaMigrations(db: Db, dialect: SqlDialectName): Promise<void> {
  await withOptions(
    db.schema.createTable("schema_migrations").ifNotExists()
      .addColumn("version", "bigint", (c) => c.notNull().primaryKey())
      .addColumn("dirty", "boolean", (c) => c.notNull()),
    dialect,
  ).execute();
  const current = await db.selectFrom("schema_migrations").select("version").executeTakeFirst();
  if (current === undefined) {
    await db.insertInto("schema_migrations")
      .values({ version: FN_SCHEMA_VERSION, dirty: false })
      .execute();
  }
}
