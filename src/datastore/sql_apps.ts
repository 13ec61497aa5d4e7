/**
 * The `apps` half of the SQL datastore.
 *
 * @module
 */

import type { App } from "../models/app.ts";
import { APIError, appNotFound, messages } from "../models/api_error.ts";
import type { AppListQuery } from "./datastore.ts";
import { appToRow, rowToApp } from "./row_mapping.ts";
import { checkLimit, inTransaction, lockApp, type SqlContext } from "./sql_context.ts";
import { isPrimaryKeyViolation, uniqueViolation } from "./sql_errors.ts";

/** Maps a clash on the app name to 409 `App already exists`; anything else is rethrown. */
function mapAppWriteError(err: unknown): never {
  const what = uniqueViolation(err);
  if (what !== undefined && !isPrimaryKeyViolation(what)) {
    throw new APIError(409, messages.appAlreadyExists, { cause: err });
  }
  throw err;
}

/** @throws {APIError} 404 `App not found` */
export async function getAppById(ctx: SqlContext, id: string): Promise<App> {
  const row = await ctx.db.selectFrom("apps").selectAll().where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw appNotFound();
  return rowToApp(row);
}

/** @throws {APIError} 404 `App not found` */
export async function getAppByName(ctx: SqlContext, name: string): Promise<App> {
  const row = await ctx.db.selectFrom("apps").selectAll().where("name", "=", name)
    .executeTakeFirst();
  if (!row) throw appNotFound();
  return rowToApp(row);
}

/** Apps ordered by name (as bytes), after `afterName`, at most `limit`. */
export async function listApps(ctx: SqlContext, query: AppListQuery): Promise<App[]> {
  checkLimit("apps", query.limit);
  const rows = await ctx.db.selectFrom("apps").selectAll()
    .$if(query.name !== undefined, (q) => q.where("name", "=", query.name!))
    .$if(query.afterName !== undefined, (q) => q.where("name", ">", query.afterName!))
    .orderBy("name")
    .limit(query.limit)
    .execute();
  return rows.map(rowToApp);
}

/** Stores a new app and returns it as stored. @throws {APIError} 409 `App already exists` */
export async function insertApp(ctx: SqlContext, app: App): Promise<App> {
  const row = appToRow(app);
  try {
    await ctx.db.insertInto("apps").values(row).execute();
  } catch (err) {
    mapAppWriteError(err);
  }
  return rowToApp(row);
}

/**
 * Applies `change` to the stored app and stores the result (its id cannot change).
 *
 * @throws {APIError} 404 `App not found`, 409 `App already exists` on a rename clash, or
 *   what `change` throws
 */
export async function updateApp(
  ctx: SqlContext,
  id: string,
  change: (current: App) => App,
): Promise<App> {
  return await inTransaction(ctx, async (trx) => {
    const current = await lockApp(ctx, trx, id);
    if (!current) throw appNotFound();
    const { id: _, ...row } = appToRow(change(rowToApp(current)));
    try {
      await trx.updateTable("apps").set(row).where("id", "=", id).execute();
    } catch (err) {
      mapAppWriteError(err);
    }
    return rowToApp({ id, ...row });
  });
}

/** Removes the app, its fns and their triggers. @throws {APIError} 404 `App not found` */
export async function removeApp(ctx: SqlContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    if (!await lockApp(ctx, trx, id)) throw appNotFound();
    await trx.deleteFrom("triggers").where("app_id", "=", id).execute();
    await trx.deleteFrom("fns").where("app_id", "=", id).execute();
    await trx.deleteFrom("apps").where("id", "=", id).execute();
  });
}
