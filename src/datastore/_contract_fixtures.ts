/**
 * Test fixtures of the datastore contract suite: entity builders, an async APIError
 * assertion and the per-dialect harness that opens datastores on fresh databases.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { Logger } from "../log.ts";
import { APIError } from "../models/api_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { newId } from "../models/id.ts";
import type { Trigger } from "../models/trigger.ts";
import type { TestDatabaseServer } from "../../tests/_databases.ts";
import { type DbLocation, parseDbUrl } from "./db_url.ts";
import { createKysely, openDatastore } from "./open_datastore.ts";
import type { SqlDatastore } from "./sql_datastore.ts";
import type { Tables } from "./tables.ts";

/** Drops every line: each case migrates a fresh database, which logs at info. */
const quiet = new Logger({ level: Infinity, format: "text", sink: () => {} });

/** Opens datastores on fresh databases of one server. */
export class Harness {
  readonly server: TestDatabaseServer;

  constructor(server: TestDatabaseServer) {
    this.server = server;
  }

  /** The location of a new, empty database. */
  async freshLocation(): Promise<DbLocation> {
    return parseDbUrl(await this.server.createDatabase());
  }

  /** A datastore on a new, empty (then migrated) database. */
  async fresh(): Promise<SqlDatastore> {
    return await this.open(await this.freshLocation());
  }

  /** A datastore on `location`. */
  async open(location: DbLocation): Promise<SqlDatastore> {
    return await openDatastore(location, { connectAttempts: 1, logger: quiet });
  }

  /** Raw SQL access to `location`, beside the datastore. */
  raw(location: DbLocation): Kysely<Tables> {
    return createKysely(location, { maxConnections: 2 });
  }
}

const T0 = new Date("2026-11-22T12:45:17.044Z");

/** A new app named `name`. */
export function makeApp(name: string, over: Partial<App> = {}): App {
  return { id: newId(), name, config: {}, annotations: {}, createdAt: T0, updatedAt: T0, ...over };
}

/** A new fn named `name` in app `appId`. */
export function makeFn(appId: string, name: string, over: Partial<Fn> = {}): Fn {
  return {
    id: newId(),
    name,
    appId,
    image: "fnproject/hello:0.0.1",
    memoryMb: 128,
    timeoutSeconds: 30,
    idleTimeoutSeconds: 30,
    config: {},
    annotations: {},
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** A new http trigger of fn `fn`. */
export function makeTrigger(
  fn: Fn,
  name: string,
  source: string,
  over: Partial<Trigger> = {},
): Trigger {
  return {
    id: newId(),
    name,
    appId: fn.appId,
    fnId: fn.id,
    type: "http",
    source,
    annotations: {},
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** Asserts that `promise` rejects with `APIError(status, message)`. */
export async function assertRejectsAPI(
  promise: Promise<unknown>,
  status: number,
  message: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof APIError, `expected an APIError, got ${err}`);
    assert.equal(err.message, message);
    assert.equal(err.status, status);
    return true;
  });
}

/** Compares strings as their UTF-8 bytes (the order every dialect must list in). */
export function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

const utf8 = new TextEncoder();

/** Tallies settled promises: how many fulfilled, and the rejections by message. */
export function tally(results: PromiseSettledResult<unknown>[]): {
  ok: number;
  errors: Record<string, number>;
} {
  const errors: Record<string, number> = {};
  let ok = 0;
  for (const r of results) {
    if (r.status === "fulfilled") {
      ok++;
      continue;
    }
    const e = r.reason;
    const key = e instanceof APIError ? `${e.status} ${e.message}` : `other: ${e}`;
    errors[key] = (errors[key] ?? 0) + 1;
  }
  return { ok, errors };
}
