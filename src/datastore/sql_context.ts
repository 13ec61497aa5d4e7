/**
 * What the SQL datastore's query modules share: the Kysely instance, its dialect, the
 * transaction runner and the row lock that orders concurrent writes.
 *
 * Locking rule (keeps PostgreSQL and MySQL free of deadlocks and of orphans): every write
 * transaction that touches an app or its children first locks that app's row with
 * `SELECT ... FOR UPDATE`, and nothing else is locked before it. Writes within one app
 * are thereby serialised; writes to different apps never wait on each other. Transactions
 * run at READ COMMITTED (PostgreSQL's default; MySQL's is REPEATABLE READ, whose snapshot
 * could hide a row another transaction removed while this one waited for the lock). SQLite
 * needs no row locks: its transactions start with `BEGIN IMMEDIATE` and run one at a time.
 *
 * @module
 */

import type { Kysely, Transaction } from "kysely";
import type { AppRow, SqlDialectName, Tables } from "./tables.ts";
import { isTransientConflict } from "./sql_errors.ts";

/** The database handle shared by the SQL datastore's modules. */
export interface SqlContext {
  readonly db: Kysely<Tables>;
  readonly dialect: SqlDialectName;
}

/** A query runner: the database itself or an open transaction. */
export type SqlExecutor = Kysely<Tables> | Transaction<Tables>;

const MAX_TRANSACTION_ATTEMPTS = 3;

/**
 * Runs `work` in a transaction. When the database aborts it because of another
 * transaction (deadlock, serialization failure), `work` runs again, up to 3 times in all;
 * so `work` must not have effects outside the database.
 */
export async function inTransaction<T>(
  ctx: SqlContext,
  work: (trx: Transaction<Tables>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      const builder = ctx.db.transaction();
      const transaction = ctx.dialect === "sqlite"
        ? builder
        : builder.setIsolationLevel("read committed");
      return await transaction.execute(work);
    } catch (err) {
      if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isTransientConflict(err)) throw err;
    }
  }
}

/**
 * Reads the app row `id`, locking it until the transaction ends (see the module doc);
 * undefined when there is no such app.
 */
export async function lockApp(
  ctx: SqlContext,
  trx: Transaction<Tables>,
  id: string,
): Promise<AppRow | undefined> {
  return await trx.selectFrom("apps").selectAll().where("id", "=", id)
    .$if(ctx.dialect !== "sqlite", (q) => q.forUpdate())
    .executeTakeFirst();
}

/**
 * Checks a list's page size.
 *
 * @throws {RangeError} when `limit` is not a positive integer
 */
export function checkLimit(what: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `Cannot list ${what} as 'limit' must be a positive integer: current value is ${limit}`,
    );
  }
}
