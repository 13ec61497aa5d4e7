/**
 * The {@linkcode Datastore} over SQL (SQLite, PostgreSQL, MySQL/MariaDB) through Kysely.
 * The queries live in `sql_apps.ts`, `sql_fns.ts` and `sql_triggers.ts`; this class only
 * binds them to one database. Open one with `openDatastore()`.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import type { AppListQuery, Datastore, FnListQuery, TriggerListQuery } from "./datastore.ts";
import * as apps from "./sql_apps.ts";
import type { SqlContext } from "./sql_context.ts";
import * as fns from "./sql_fns.ts";
import * as triggers from "./sql_triggers.ts";
import type { SqlDialectName, Tables } from "./tables.ts";

/** A {@linkcode Datastore} on a migrated SQL database. */
export class SqlDatastore implements Datastore {
  readonly #ctx: SqlContext;
  #closed: Promise<void> | undefined;

  /** Wraps `db` (already migrated); disposing the datastore destroys `db`. */
  constructor(db: Kysely<Tables>, dialect: SqlDialectName) {
    this.#ctx = { db, dialect };
  }

  /** Which SQL dialect is behind this datastore. */
  get dialect(): SqlDialectName {
    return this.#ctx.dialect;
  }

  getAppById(id: string): Promise<App> {
    return apps.getAppById(this.#ctx, id);
  }

  getAppByName(name: string): Promise<App> {
    return apps.getAppByName(this.#ctx, name);
  }

  listApps(query: AppListQuery): Promise<App[]> {
    return apps.listApps(this.#ctx, query);
  }

  insertApp(app: App): Promise<App> {
    return apps.insertApp(this.#ctx, app);
  }

  updateApp(id: string, change: (current: App) => App): Promise<App> {
    return apps.updateApp(this.#ctx, id, change);
  }

  removeApp(id: string): Promise<void> {
    return apps.removeApp(this.#ctx, id);
  }

  getFnById(id: string): Promise<Fn> {
    return fns.getFnById(this.#ctx, id);
  }

  listFns(query: FnListQuery): Promise<Fn[]> {
    return fns.listFns(this.#ctx, query);
  }

  insertFn(fn: Fn): Promise<Fn> {
    return fns.insertFn(this.#ctx, fn);
  }

  updateFn(id: string, change: (current: Fn) => Fn): Promise<Fn> {
    return fns.updateFn(this.#ctx, id, change);
  }

  removeFn(id: string): Promise<void> {
    return fns.removeFn(this.#ctx, id);
  }

  getTriggerById(id: string): Promise<Trigger> {
    return triggers.getTriggerById(this.#ctx, id);
  }

  getTriggerBySource(appId: string, type: string, source: string): Promise<Trigger> {
    return triggers.getTriggerBySource(this.#ctx, appId, type, source);
  }

  listTriggers(query: TriggerListQuery): Promise<Trigger[]> {
    return triggers.listTriggers(this.#ctx, query);
  }

  insertTrigger(trigger: Trigger): Promise<Trigger> {
    return triggers.insertTrigger(this.#ctx, trigger);
  }

  updateTrigger(id: string, change: (current: Trigger) => Trigger): Promise<Trigger> {
    return triggers.updateTrigger(this.#ctx, id, change);
  }

  removeTrigger(id: string): Promise<void> {
    return triggers.removeTrigger(this.#ctx, id);
  }

  /** Runs `SELECT 1`. @throws the driver's error when the database is unreachable */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#ctx.db);
  }

  /** Closes the connection pool (or the SQLite file); safe to call more than once. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#closed ??= this.#ctx.db.destroy();
    return this.#closed;
  }
}
