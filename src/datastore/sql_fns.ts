/**
 * The `fns` half of the SQL datastore.
 *
 * @module
 */

import { APIError, appNotFound, fnNotFound, messages } from "../models/api_error.ts";
import type { Fn } from "../models/fn.ts";
import type { Transaction } from "kysely";
import type { FnListQuery } from "./datastore.ts";
import { fnToRow, rowToFn } from "./row_mapping.ts";
import {
  checkLimit,
  inTransaction,
  lockApp,
  type SqlContext,
  type SqlExecutor,
} from "./sql_context.ts";
import { isPrimaryKeyViolation, uniqueViolation } from "./sql_errors.ts";
import type { FnRow, Tables } from "./tables.ts";

/** Maps a clash on (app_id, name) to 409; anything else is rethrown. */
function mapFnWriteError(err: unknown): never {
  const what = uniqueViolation(err);
  if (what !== undefined && !isPrimaryKeyViolation(what)) {
    throw new APIError(409, messages.fnAlreadyExists, { cause: err });
  }
  throw err;
}

async function findFn(db: SqlExecutor, id: string): Promise<FnRow | undefined> {
  return await db.selectFrom("fns").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Locks the app of fn `id` (see `sql_context.ts`), then reads the fn again: it may have
 * gone in between.
 */
async function lockFnApp(
  ctx: SqlContext,
  trx: Transaction<Tables>,
  id: string,
): Promise<FnRow> {
  const seen = await findFn(trx, id);
  if (!seen) throw fnNotFound();
  await lockApp(ctx, trx, seen.app_id);
  const row = await findFn(trx, id);
  if (!row) throw fnNotFound();
  return row;
}

/** @throws {APIError} 404 `Fn not found` */
export async function getFnById(ctx: SqlContext, id: string): Promise<Fn> {
  const row = await findFn(ctx.db, id);
  if (!row) throw fnNotFound();
  return rowToFn(row);
}

/** Fns of an app ordered by name (as bytes), after `afterName`, at most `limit`. */
export async function listFns(ctx: SqlContext, query: FnListQuery): Promise<Fn[]> {
  checkLimit("fns", query.limit);
  const rows = await ctx.db.selectFrom("fns").selectAll()
    .where("app_id", "=", query.appId)
    .$if(query.name !== undefined, (q) => q.where("name", "=", query.name!))
    .$if(query.afterName !== undefined, (q) => q.where("name", ">", query.afterName!))
    .orderBy("name")
    .limit(query.limit)
    .execute();
  return rows.map(rowToFn);
}

/**
 * Stores a new fn in an existing app, with the app's shape (Fn copies it at creation),
 * and returns it as stored.
 *
 * @throws {APIError} 404 `App not found`, 409 `Fn with specified name already exists`
 */
export async function insertFn(ctx: SqlContext, fn: Fn): Promise<Fn> {
  return await inTransaction(ctx, async (trx) => {
    const app = await lockApp(ctx, trx, fn.appId);
    if (!app) throw appNotFound();
    const row: FnRow = { ...fnToRow(fn), shape: app.shape ?? "" };
    try {
      await trx.insertInto("fns").values(row).execute();
    } catch (err) {
      mapFnWriteError(err);
    }
    return rowToFn(row);
  });
}

/**
 * Applies `change` to the stored fn and stores the result; its id and app cannot change.
 *
 * @throws {APIError} 404 `Fn not found`, 409 `Fn with specified name already exists` on a
 *   rename clash, or what `change` throws
 */
export async function updateFn(
  ctx: SqlContext,
  id: string,
  change: (current: Fn) => Fn,
): Promise<Fn> {
  return await inTransaction(ctx, async (trx) => {
    const current = await lockFnApp(ctx, trx, id);
    const next = change(rowToFn(current));
    const { id: _, ...row } = fnToRow({ ...next, id, appId: current.app_id });
    try {
      await trx.updateTable("fns").set(row).where("id", "=", id).execute();
    } catch (err) {
      mapFnWriteError(err);
    }
    return rowToFn({ id, ...row });
  });
}

/** Removes the fn and its triggers. @throws {APIError} 404 `Fn not found` */
export async function removeFn(ctx: SqlContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const fn = await lockFnApp(ctx, trx, id);
    await trx.deleteFrom("triggers")
      .where("app_id", "=", fn.app_id)
      .where("fn_id", "=", id)
      .execute();
    await trx.deleteFrom("fns").where("id", "=", id).execute();
  });
}
