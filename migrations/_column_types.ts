/**
 * Column types and table options per dialect, so that names compare as UTF-8 bytes
 * everywhere: `COLLATE "C"` on PostgreSQL, `utf8mb4_bin` tables on MySQL, SQLite's
 * default BINARY collation.
 *
 * @module
 */

import { type ColumnDataType, type Expression, sql } from "kysely";
import type { SqlDialectName } from "../src/datastore/tables.ts";

/** A column type Kysely accepts. */
// deno-lint-ignore no-explicit-any
export type ColumnType = ColumnDataType | Expression<any>;

/** `varchar(256)` (Fn's type for ids, names, type and timestamps), byte-ordered. */
export function varchar256(dialect: SqlDialectName): ColumnType {
  return dialect === "postgres" ? sql`varchar(256) collate "C"` : "varchar(256)";
}

/** `text`, byte-ordered. */
export function text(dialect: SqlDialectName): ColumnType {
  return dialect === "postgres" ? sql`text collate "C"` : "text";
}

/** Table options: InnoDB with utf8mb4 and binary collation on MySQL, none elsewhere. */
// deno-lint-ignore no-explicit-any
export function tableOptions(dialect: SqlDialectName): Expression<any> | undefined {
  return dialect === "mysql"
    ? sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`
    : undefined;
}
