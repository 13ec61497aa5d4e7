/**
 * Widens the `config` and `annotations` columns on MySQL/MariaDB, where `text` holds at
 * most 65,535 bytes: the largest annotation map the rules allow is ~77 KB of JSON
 * (`api-v2.md` §4.2), and Fn sets no limit on config at all (§3.5). `config` becomes
 * `longtext` (then only `max_allowed_packet` bounds it), `annotations` `mediumtext`
 * (16 MiB). PostgreSQL's and SQLite's `text` have no such limit: nothing to do there.
 *
 * Each column keeps its character set, collation and nullability, so tables that an Fn
 * server created (adopted by 0002) stay usable by Fn. A column that is already at least
 * as wide is left alone, so running this twice changes nothing; the migration lock (see
 * `src/datastore/migrate.ts`) keeps two processes from running it at once.
 *
 * @module
 */

import { type Kysely, type RawBuilder, sql } from "kysely";
import type { SqlDialectName } from "../src/datastore/tables.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/** MySQL's text types, narrowest first. */
const TEXT_TYPES = ["tinytext", "text", "mediumtext", "longtext"] as const;
type TextType = typeof TEXT_TYPES[number];

/** The columns to widen and the type each needs at least. */
const WIDE_COLUMNS: Readonly<Record<string, Readonly<Record<string, TextType>>>> = {
  apps: { config: "longtext", annotations: "mediumtext" },
  fns: { config: "longtext", annotations: "mediumtext" },
  triggers: { annotations: "mediumtext" },
};

interface ColumnInfo {
  name: string;
  type: string;
  nullable: string;
  charset: string | null;
  collation: string | null;
}

/** Widens the map columns on MySQL; a no-op elsewhere and on wide-enough columns. */
export async function up(db: Db, dialect: SqlDialectName): Promise<void> {
  if (dialect !== "mysql") return;
  for (const [table, wanted] of Object.entries(WIDE_COLUMNS)) {
    const columns = await mysqlColumns(db, table);
    const changes: RawBuilder<unknown>[] = [];
    for (const [name, type] of Object.entries(wanted)) {
      const column = columns.find((c) => c.name === name);
      if (column !== undefined && isNarrower(column.type, type)) {
        changes.push(modifyClause(column, type));
      }
    }
    // One statement per table: MySQL rebuilds the table once for all its columns.
    if (changes.length > 0) {
      await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
    }
  }
}

function isNarrower(current: string, wanted: TextType): boolean {
  const rank = TEXT_TYPES.indexOf(current.toLowerCase() as TextType);
  // Not a text type (someone changed it by hand to something else): leave it alone.
  return rank >= 0 && rank < TEXT_TYPES.indexOf(wanted);
}

function modifyClause(column: ColumnInfo, type: TextType): RawBuilder<unknown> {
  const charset = column.charset ? sql` character set ${sql.raw(column.charset)}` : sql``;
  const collation = column.collation ? sql` collate ${sql.raw(column.collation)}` : sql``;
  const nullability = column.nullable === "NO" ? sql` not null` : sql` null`;
  return sql`modify ${sql.ref(column.name)} ${sql.raw(type)}${charset}${collation}${nullability}`;
}

async function mysqlColumns(db: Db, table: string): Promise<ColumnInfo[]> {
  const { rows } = await sql<ColumnInfo>`
    select column_name as name, data_type as type, is_nullable as nullable,
      character_set_name as charset, collation_name as collation
    from information_schema.columns
    where table_schema = database() and table_name = ${table}`.execute(db);
  return rows;
}
