/**
 * The columns of a table in the database's current schema, for migrations that must look
 * before they alter (Kysely's introspector lists every schema on PostgreSQL).
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { SqlDialectName } from "../src/datastore/tables.ts";

/** Column names of `table` in the current schema; empty when there is no such table. */
export async function columnsOf(
  // deno-lint-ignore no-explicit-any
  db: Kysely<any>,
  dialect: SqlDialectName,
  table: string,
): Promise<string[]> {
  const query = dialect === "sqlite"
    ? sql<{ name: string }>`select name from pragma_table_info(${table})`
    : sql<{ name: string }>`select column_name as name from information_schema.columns
        where table_name = ${table}
        and table_schema = ${dialect === "postgres" ? sql`current_schema()` : sql`database()`}`;
  const { rows } = await query.execute(db);
  return rows.map((r) => r.name);
}
