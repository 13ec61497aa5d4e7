/**
 * A Kysely dialect for SQLite through Deno's built-in `node:sqlite` (no native addon):
 * Kysely's own SQLite query compiler and introspector over {@linkcode NodeSqliteDriver}.
 *
 * @module
 */

import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import { NodeSqliteDriver, type NodeSqliteOptions } from "./node_sqlite_driver.ts";

/**
 * SQLite runs DDL inside transactions; saying so makes Kysely's `Migrator` apply
 * migrations in one `BEGIN IMMEDIATE` transaction, which is what keeps two processes
 * from migrating the same file at once (Kysely's SQLite adapter takes no lock).
 */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely {@linkcode Dialect} for `node:sqlite`. */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteOptions;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  // deno-lint-ignore no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
