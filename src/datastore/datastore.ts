/**
 * The storage seam: everything fnd persists goes through this interface, so the API,
 * the LB and tests never know which SQL dialect (or none) is behind it.
 *
 * Contract shared by every implementation (pinned by the contract suite in
 * `_contract.ts`, run against every dialect by `datastore_{sqlite,postgres,mysql}_test.ts`):
 * - Lookups of a missing entity throw `APIError` 404 (`App not found`, `Fn not found`,
 *   `Trigger not found`).
 * - Unique rules are enforced by the database itself, so concurrent inserts of the same
 *   name give exactly one success; the losers throw `APIError` 409 with Fn's message.
 * - Lists are ordered by name, compared as UTF-8 bytes, and return the items whose
 *   name is strictly greater than `afterName`, at most `limit` of them. Triggers (whose
 *   names repeat across fns) are ordered by name and then id; with `afterId` too they
 *   start after the (`afterName`, `afterId`) position, so paging loses no trigger.
 * - Removing an app removes its fns and triggers; removing a fn removes its triggers;
 *   each in one transaction.
 * - `update*` runs `change` on the stored entity inside a transaction and stores its
 *   result; an error thrown by `change` aborts the update and propagates unchanged.
 *
 * @module
 */

import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";

/** Filter and page for {@linkcode Datastore.listApps}. */
export interface AppListQuery {
  /** Exact name match. */
  readonly name?: string;
  /** Only names strictly greater than this (the decoded cursor). */
  readonly afterName?: string;
  /** Page size, 1..100. */
  readonly limit: number;
}

/** Filter and page for {@linkcode Datastore.listFns}. */
export interface FnListQuery {
  readonly appId: string;
  readonly name?: string;
  readonly afterName?: string;
  readonly limit: number;
}

/** Filter and page for {@linkcode Datastore.listTriggers}. */
export interface TriggerListQuery {
  readonly appId: string;
  readonly fnId?: string;
  readonly name?: string;
  /** Only names strictly greater than this, or (with `afterId`) equal and a greater id. */
  readonly afterName?: string;
  /** With `afterName`: the id of the last trigger of the previous page. */
  readonly afterId?: string;
  readonly limit: number;
}

/** Persistent storage of apps, fns and triggers. */
export interface Datastore extends AsyncDisposable {
  /** @throws {APIError} 404 `App not found` */
  getAppById(id: string): Promise<App>;
  /** @throws {APIError} 404 `App not found` */
  getAppByName(name: string): Promise<App>;
  listApps(query: AppListQuery): Promise<App[]>;
  /** @throws {APIError} 409 `App already exists` */
  insertApp(app: App): Promise<App>;
  /**
   * Reads the app, applies `change` and stores the result, atomically.
   *
   * @throws {APIError} 404 `App not found`, 409 on a name clash, or what `change` throws
   */
  updateApp(id: string, change: (current: App) => App): Promise<App>;
  /** Removes the app with its fns and triggers. @throws {APIError} 404 `App not found` */
  removeApp(id: string): Promise<void>;

  /** @throws {APIError} 404 `Fn not found` */
  getFnById(id: string): Promise<Fn>;
  listFns(query: FnListQuery): Promise<Fn[]>;
  /**
   * @throws {APIError} 404 `App not found` when `fn.appId` does not exist,
   *   409 `Fn with specified name already exists`
   */
  insertFn(fn: Fn): Promise<Fn>;
  /** @throws {APIError} 404 `Fn not found`, or what `change` throws */
  updateFn(id: string, change: (current: Fn) => Fn): Promise<Fn>;
  /** Removes the fn with its triggers. @throws {APIError} 404 `Fn not found` */
  removeFn(id: string): Promise<void>;

  /** @throws {APIError} 404 `Trigger not found` */
  getTriggerById(id: string): Promise<Trigger>;
  /** @throws {APIError} 404 `Trigger not found` */
  getTriggerBySource(appId: string, type: string, source: string): Promise<Trigger>;
  listTriggers(query: TriggerListQuery): Promise<Trigger[]>;
  /**
   * @throws {APIError} 404 `App not found` / `Fn not found`, 400 `Invalid Fn ID - not owned
   *   by specified app`, 409 `Trigger with the same type and source exists on this app`,
   *   409 `Trigger already exists`
   */
  insertTrigger(trigger: Trigger): Promise<Trigger>;
  /**
   * Like insert, the result is checked: fn exists and belongs to the app (404/400),
   * source unique per app (409), name unique per fn (409).
   *
   * @throws {APIError} 404 `Trigger not found`, the errors above, or what `change` throws
   */
  updateTrigger(id: string, change: (current: Trigger) => Trigger): Promise<Trigger>;
  /** @throws {APIError} 404 `Trigger not found` */
  removeTrigger(id: string): Promise<void>;

  /** Cheap liveness check of the connection. @throws when the database is unreachable */
  ping(): Promise<void>;
}
