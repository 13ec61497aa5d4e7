/**
 * Opens the datastore named by `FN_DB_URL`: connects (retrying while the database server
 * comes up, as Fn does), applies the schema migrations and returns the
 * {@linkcode Datastore}.
 *
 * ```ts
 * await using ds = await openDatastore(parseDbUrl("sqlite3:///data/fnd.db"));
 * ```
 *
 * @module
 */

import { CompiledQuery, type Dialect, Kysely, MysqlDialect, PostgresDialect, sql } from "kysely";
import { createPool } from "mysql2";
// @ts-types="@types/pg"
import pg from "pg";
import { log as rootLog, type Logger } from "../log.ts";
import { type DbLocation, redactDbUrl } from "./db_url.ts";
import { migrate } from "./migrate.ts";
import { NodeSqliteDialect } from "./node_sqlite_dialect.ts";
import { SqlDatastore } from "./sql_datastore.ts";
import type { Tables } from "./tables.ts";

/** Options for {@linkcode openDatastore}. */
export interface OpenDatastoreOptions {
  /** Connection attempts before giving up (PostgreSQL, MySQL; SQLite tries once). @default {10} */
  readonly connectAttempts?: number;
  /** Pause between connection attempts. @default {1000} */
  readonly connectRetryDelayMs?: number;
  /** Most connections in the pool (PostgreSQL, MySQL). @default {20} */
  readonly maxConnections?: number;
  /** SQLite: how long a write waits for another connection's lock. @default {5000} */
  readonly busyTimeoutMs?: number;
  /** Stops the connection retries. */
  readonly signal?: AbortSignal;
  /** Where retries and pool errors are logged. @default {the root logger} */
  readonly logger?: Logger;
}

/**
 * Connects to the database at `location`, migrates it and returns a datastore on it.
 * Disposing the datastore (`await using`, or `[Symbol.asyncDispose]()`) closes the pool.
 *
 * @throws {RangeError} when an option is out of range
 * @throws {Error} naming the database (without its password) when it cannot be reached
 *   after every attempt or cannot be migrated
 */
export async function openDatastore(
  location: DbLocation,
  options: OpenDatastoreOptions = {},
): Promise<SqlDatastore> {
  const attempts = positiveInt("connectAttempts", options.connectAttempts ?? 10);
  const delayMs = nonNegative("connectRetryDelayMs", options.connectRetryDelayMs ?? 1000);
  const maxConnections = positiveInt("maxConnections", options.maxConnections ?? 20);
  const logger = (options.logger ?? rootLog).child({ datastore: describe(location) });
  const db = createKysely(location, { ...options, maxConnections, logger });
  try {
    const tries = location.dialect === "sqlite" ? 1 : attempts;
    await connect(db, describe(location), tries, delayMs, logger, options.signal);
    const applied = await migrate(db, location.dialect, describe(location));
    if (applied.length > 0) logger.info("applied schema migrations", { migrations: applied });
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
  return new SqlDatastore(db, location.dialect);
}

/**
 * A bare Kysely instance on `location` with fnd's driver settings (no connection made yet,
 * no migrations run): for tools and tests that need SQL beside the datastore.
 */
export function createKysely(
  location: DbLocation,
  options: Pick<OpenDatastoreOptions, "maxConnections" | "busyTimeoutMs" | "logger"> = {},
): Kysely<Tables> {
  const logger = options.logger ?? rootLog;
  const dialect = createDialect(
    location,
    positiveInt("maxConnections", options.maxConnections ?? 20),
    options.busyTimeoutMs,
    logger,
  );
  return new Kysely<Tables>({ dialect });
}

async function connect(
  db: Kysely<Tables>,
  name: string,
  attempts: number,
  delayMs: number,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (err) {
      if (attempt >= attempts) {
        const tries = attempts === 1 ? "" : ` after ${attempts} attempts`;
        throw new Error(
          `Cannot connect to the datastore ${name}${tries}: ${errorText(err)}. ` +
            "Check FN_DB_URL and that the database server is running and reachable.",
          { cause: err },
        );
      }
      logger.warn("database not reachable yet; retrying", {
        attempt,
        attempts,
        error: errorText(err),
      });
    }
    await pause(delayMs, signal);
  }
}

function createDialect(
  location: DbLocation,
  maxConnections: number,
  busyTimeoutMs: number | undefined,
  logger: Logger,
): Dialect {
  switch (location.dialect) {
    case "sqlite":
      return new NodeSqliteDialect({ path: location.path, busyTimeoutMs });
    case "postgres": {
      const pool = new pg.Pool({
        connectionString: location.connectionString,
        max: maxConnections,
        connectionTimeoutMillis: 10_000,
      });
      // An idle client whose server went away emits "error"; unhandled, it would end
      // the process. The pool drops that client and the next query reconnects.
      pool.on("error", (err) => logger.warn("idle database connection failed", { error: err }));
      return new PostgresDialect({ pool });
    }
    case "mysql":
      return new MysqlDialect({
        pool: createPool({
          host: location.host,
          port: location.port,
          user: location.user,
          password: location.password,
          database: location.database,
          charset: "utf8mb4",
          connectionLimit: maxConnections,
          connectTimeout: 10_000,
        }),
        // Strict mode: a value that does not fit is an error, never silently truncated.
        onCreateConnection: async (connection) => {
          await connection.executeQuery(
            CompiledQuery.raw("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'"),
          );
        },
      });
  }
}

/** The database's name for messages and logs, without any password. */
export function describe(location: DbLocation): string {
  switch (location.dialect) {
    case "sqlite":
      return `sqlite3://${location.path}`;
    case "postgres":
      return redactDbUrl(location.connectionString);
    case "mysql":
      return `mysql://${location.user}@tcp(${location.host}:${location.port})/${location.database}`;
  }
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(errorText).join("; ");
  }
  return err instanceof Error ? err.message || err.name : String(err);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot open the datastore as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) {
    throw new RangeError(
      `Cannot open the datastore as '${name}' must be >= 0: current value is ${value}`,
    );
  }
  return value;
}
