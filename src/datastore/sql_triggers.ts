/**
 * The `triggers` part of the SQL datastore.
 *
 * @module
 */

import type { Transaction } from "kysely";
import {
  APIError,
  appNotFound,
  fnNotFound,
  messages,
  triggerNotFound,
} from "../models/api_error.ts";
import type { Trigger } from "../models/trigger.ts";
import type { TriggerListQuery } from "./datastore.ts";
import { rowToTrigger, sourceHash, triggerToRow } from "./row_mapping.ts";
import {
  checkLimit,
  inTransaction,
  lockApp,
  type SqlContext,
  type SqlExecutor,
} from "./sql_context.ts";
import { isPrimaryKeyViolation, uniqueViolation } from "./sql_errors.ts";
import type { Tables, TriggerRow } from "./tables.ts";

type Trx = Transaction<Tables>;

/**
 * Maps a clash on (app_id, type, source) or (app_id, fn_id, name) to its 409;
 * anything else is rethrown.
 */
function mapTriggerWriteError(err: unknown): never {
  const what = uniqueViolation(err);
  if (what !== undefined && !isPrimaryKeyViolation(what)) {
    const message = /source/i.test(what)
      ? messages.triggerSourceExists
      : messages.triggerAlreadyExists;
    throw new APIError(409, message, { cause: err });
  }
  throw err;
}

async function findTrigger(db: SqlExecutor, id: string): Promise<TriggerRow | undefined> {
  return await db.selectFrom("triggers").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * The checks of create (and, in fnd, of update) that come before the unique keys, in Fn's
 * order: the fn exists (404), it belongs to the app (400), no other trigger of the app
 * has the same type and source (409; checked here so that this message wins when the
 * name clashes too). The caller holds the app's lock, so the answers stay true until
 * it commits.
 */
async function checkTrigger(trx: Trx, trigger: TriggerRow, selfId?: string): Promise<void> {
  const fn = await trx.selectFrom("fns").select("app_id").where("id", "=", trigger.fn_id)
    .executeTakeFirst();
  if (!fn) throw fnNotFound();
  if (fn.app_id !== trigger.app_id) throw new APIError(400, messages.fnNotOwnedByApp);
  const clash = await trx.selectFrom("triggers").select("id")
    .where("app_id", "=", trigger.app_id)
    .where("type", "=", trigger.type)
    .where("source_hash", "=", trigger.source_hash)
    .where("source", "=", trigger.source)
    .$if(selfId !== undefined, (q) => q.where("id", "<>", selfId!))
    .executeTakeFirst();
  if (clash) throw new APIError(409, messages.triggerSourceExists);
}

/** @throws {APIError} 404 `Trigger not found` */
export async function getTriggerById(ctx: SqlContext, id: string): Promise<Trigger> {
  const row = await findTrigger(ctx.db, id);
  if (!row) throw triggerNotFound();
  return rowToTrigger(row);
}

/** The trigger of an app with this type and source. @throws {APIError} 404 */
export async function getTriggerBySource(
  ctx: SqlContext,
  appId: string,
  type: string,
  source: string,
): Promise<Trigger> {
  const row = await ctx.db.selectFrom("triggers").selectAll()
    .where("app_id", "=", appId)
    .where("type", "=", type)
    .where("source_hash", "=", sourceHash(source))
    .where("source", "=", source)
    .executeTakeFirst();
  if (!row) throw triggerNotFound();
  return rowToTrigger(row);
}

/**
 * Triggers of an app (optionally of one fn, or with one name), ordered by name (as bytes)
 * and then id, after `afterName` (or after the position (`afterName`, `afterId`)), at
 * most `limit`.
 */
export async function listTriggers(ctx: SqlContext, query: TriggerListQuery): Promise<Trigger[]> {
  checkLimit("triggers", query.limit);
  const { afterName, afterId } = query;
  const rows = await ctx.db.selectFrom("triggers").selectAll()
    .where("app_id", "=", query.appId)
    .$if(query.fnId !== undefined, (q) => q.where("fn_id", "=", query.fnId!))
    .$if(query.name !== undefined, (q) => q.where("name", "=", query.name!))
    .$if(
      afterName !== undefined,
      (q) =>
        q.where((eb) =>
          afterId === undefined ? eb("name", ">", afterName!) : eb.or([
            eb("name", ">", afterName!),
            eb.and([eb("name", "=", afterName!), eb("id", ">", afterId)]),
          ])
        ),
    )
    .orderBy("name")
    .orderBy("id")
    .limit(query.limit)
    .execute();
  return rows.map(rowToTrigger);
}

/**
 * Stores a new trigger and returns it as stored.
 *
 * @throws {APIError} 404 `App not found` / `Fn not found`, 400 `Invalid Fn ID - not owned
 *   by specified app`, 409 `Trigger with the same type and source exists on this app`,
 *   409 `Trigger already exists`
 */
export async function insertTrigger(ctx: SqlContext, trigger: Trigger): Promise<Trigger> {
  const row = triggerToRow(trigger);
  return await inTransaction(ctx, async (trx) => {
    if (!await lockApp(ctx, trx, row.app_id)) throw appNotFound();
    await checkTrigger(trx, row);
    try {
      await trx.insertInto("triggers").values(row).execute();
    } catch (err) {
      mapTriggerWriteError(err);
    }
    return rowToTrigger(row);
  });
}

/**
 * Applies `change` to the stored trigger and stores the result after the checks of
 * create; its id and app cannot change (fnd's fix of Fn's quirk 12.3).
 *
 * @throws {APIError} 404 `Trigger not found`, the errors of {@linkcode insertTrigger}, or
 *   what `change` throws
 */
export async function updateTrigger(
  ctx: SqlContext,
  id: string,
  change: (current: Trigger) => Trigger,
): Promise<Trigger> {
  return await inTransaction(ctx, async (trx) => {
    const seen = await findTrigger(trx, id);
    if (!seen) throw triggerNotFound();
    // Lock order: the app first (see sql_context.ts); the trigger may have gone meanwhile.
    await lockApp(ctx, trx, seen.app_id);
    const current = await findTrigger(trx, id);
    if (!current) throw triggerNotFound();
    const next = change(rowToTrigger(current));
    const row = triggerToRow({ ...next, id, appId: current.app_id });
    await checkTrigger(trx, row, id);
    const { id: _, ...values } = row;
    try {
      await trx.updateTable("triggers").set(values).where("id", "=", id).execute();
    } catch (err) {
      mapTriggerWriteError(err);
    }
    return rowToTrigger(row);
  });
}

/** @throws {APIError} 404 `Trigger not found` */
export async function removeTrigger(ctx: SqlContext, id: string): Promise<void> {
  const result = await ctx.db.deleteFrom("triggers").where("id", "=", id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw triggerNotFound();
}
