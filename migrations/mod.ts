/**
 * fnd's schema migrations, in order. Each is applied once per database by Kysely's
 * `Migrator` (see `src/datastore/migrate.ts`), which records them in `fnd_migrations`.
 *
 * @module
 */

import type { Kysely, Migration } from "kysely";
import type { SqlDialectName } from "../src/datastore/tables.ts";
import * as fnTables from "./0001_fn_tables.ts";
import * as adoptFnTables from "./0002_adopt_fn_tables.ts";
import * as wideMapsOnMysql from "./0003_wide_maps_on_mysql.ts";

// deno-lint-ignore no-explicit-any
type MigrationUp = (db: Kysely<any>, dialect: SqlDialectName) => Promise<void>;

/** The migrations by name; names sort in the order they must run. */
const MIGRATIONS: Readonly<Record<string, MigrationUp>> = {
  "0001_fn_tables": fnTables.up,
  "0002_adopt_fn_tables": adoptFnTables.up,
  "0003_wide_maps_on_mysql": wideMapsOnMysql.up,
};

/** The migrations for `dialect`, keyed by name, as Kysely's `Migrator` wants them. */
export function migrationsFor(dialect: SqlDialectName): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, up]) => [name, { up: (db) => up(db, dialect) }]),
  );
}
