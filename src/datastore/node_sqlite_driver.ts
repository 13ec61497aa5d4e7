/**
 * A Kysely driver over Deno's built-in `node:sqlite` (`DatabaseSync`): one connection,
 * handed to one query or transaction at a time, in WAL mode.
 *
 * `DatabaseSync` blocks the event loop while SQLite waits on a lock, so SQLite's own busy
 * timeout could freeze the process (and deadlock two connections of one process). The
 * driver keeps SQLite's busy timeout at 0 and instead retries `SQLITE_BUSY` itself, with
 * short asynchronous pauses, for up to `busyTimeoutMs`. Transactions start with
 * `BEGIN IMMEDIATE`, so they take the write lock up front and never fail half-way.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
} from "kysely";
import { isSqliteBusy } from "./sql_errors.ts";

/** Options for {@linkcode NodeSqliteDriver}. */
export interface NodeSqliteOptions {
  /** Database file (parent directories are created), or `:memory:`. */
  readonly path: string;
  /** How long to keep retrying when another connection holds the lock. @default {5000} */
  readonly busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const MAX_BUSY_PAUSE_MS = 25;

/** A Kysely {@linkcode Driver} for `node:sqlite`. */
export class NodeSqliteDriver implements Driver {
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #mutex = new Mutex();
  #db: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  /** @throws {RangeError} when `busyTimeoutMs` is negative */
  constructor(options: NodeSqliteOptions) {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (!(busyTimeoutMs >= 0)) {
      throw new RangeError(
        `Cannot open SQLite as 'busyTimeoutMs' must be >= 0: current value is ${busyTimeoutMs}`,
      );
    }
    this.#path = options.path;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** Opens the file (creating its directory) and switches it to WAL mode. */
  async init(): Promise<void> {
    if (this.#path !== ":memory:") await mkdir(dirname(this.#path), { recursive: true });
    const db = new DatabaseSync(this.#path);
    this.#db = db;
    const retry = (work: () => void) => retryWhileBusy(work, this.#busyTimeoutMs);
    // A journal-mode switch needs the lock too, so another process may make it busy.
    // prepare() rather than exec(): only statements report SQLite's error code.
    await retry(() => db.prepare("PRAGMA journal_mode = WAL").all());
    await retry(() => db.prepare("PRAGMA synchronous = NORMAL").run());
    this.#connection = new NodeSqliteConnection(db, this.#busyTimeoutMs);
  }

  /** Waits until the one connection is free. */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#connection) throw new Error("The SQLite driver is not initialised");
    await this.#mutex.lock();
    return this.#connection;
  }

  /** `BEGIN IMMEDIATE`: takes the write lock now rather than at the first write. */
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("BEGIN IMMEDIATE"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("COMMIT"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("ROLLBACK"));
  }

  releaseConnection(): Promise<void> {
    this.#mutex.unlock();
    return Promise.resolve();
  }

  /** Closes the database once every pending query is done. */
  async destroy(): Promise<void> {
    const db = this.#db;
    if (!db) return;
    await this.#mutex.lock();
    try {
      if (db.isOpen) db.close();
    } finally {
      this.#db = undefined;
      this.#connection = undefined;
      this.#mutex.unlock();
    }
  }
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #busyTimeoutMs: number;

  constructor(db: DatabaseSync, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters.map(toSqlite);
    // A statement that failed with SQLITE_BUSY had no effect, so running it again is safe.
    return await retryWhileBusy(
      () => runStatement<R>(this.#db.prepare(compiled.sql), params),
      this.#busyTimeoutMs,
    );
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) {
      throw new Error("The SQLite driver streams SELECT queries only");
    }
    const stmt = this.#db.prepare(compiled.sql);
    for (const row of stmt.iterate(...compiled.parameters.map(toSqlite))) {
      yield { rows: [row as R] };
    }
  }
}

function runStatement<R>(stmt: StatementSync, params: SQLInputValue[]): QueryResult<R> {
  if (stmt.columns().length > 0) {
    return { rows: stmt.all(...params) as R[] };
  }
  const { changes, lastInsertRowid } = stmt.run(...params);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}

/** Converts a Kysely parameter to a value `node:sqlite` binds. */
function toSqlite(value: unknown): SQLInputValue {
  switch (typeof value) {
    case "string":
    case "number":
    case "bigint":
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "undefined":
      return null;
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`Cannot bind a ${typeof value} parameter in SQLite: ${String(value)}`);
}

/**
 * Runs `work` (synchronous SQLite calls) and, while it fails with SQLITE_BUSY, runs it
 * again after a short pause that lets other work in this process finish, until
 * `timeoutMs` has passed.
 */
export async function retryWhileBusy<T>(work: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0;; attempt++) {
    try {
      return work();
    } catch (err) {
      if (!isSqliteBusy(err) || Date.now() >= deadline) throw err;
    }
    const pauseMs = Math.min(MAX_BUSY_PAUSE_MS, 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** A FIFO lock: one holder at a time, waiters served in arrival order. */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}
