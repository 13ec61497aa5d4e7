/**
 * Applies fnd's schema migrations (`migrations/`) with Kysely's `Migrator`.
 *
 * Safe to run twice and from several processes at once: PostgreSQL takes an advisory
 * lock inside the migration transaction, MySQL a `GET_LOCK` on the migration connection,
 * and SQLite runs the migrations in one `BEGIN IMMEDIATE` transaction (see
 * `node_sqlite_dialect.ts`). Every DDL statement is also `IF NOT EXISTS`-guarded.
 *
 * @module
 */

import { type Kysely, Migrator } from "kysely";
import { migrationsFor } from "../../migrations/mod.ts";
import type { SqlDialectName } from "./tables.ts";

/** Where Kysely records applied migrations (Fn's own table is `schema_migrations`). */
export const MIGRATION_TABLE = "fnd_migrations";
/** Kysely's lock table beside {@linkcode MIGRATION_TABLE}. */
export const MIGRATION_LOCK_TABLE = "fnd_migrations_lock";

/**
 * Brings the database up to the newest schema; returns the names of the migrations it
 * applied (empty when it was current). `name` says which database in error messages.
 *
 * @throws {Error} naming the failed migration, with the database's error as `cause`
 */
export async function migrate<DB>(
  db: Kysely<DB>,
  dialect: SqlDialectName,
  name: string = `the ${dialect} database`,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsFor(dialect)) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === "Error")?.migrationName;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot migrate ${name}${failed ? ` (migration ${failed})` : ""}: ${detail}`,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === "Success").map((r) => r.migrationName);
}
