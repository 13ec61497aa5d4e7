/**
 * Recognises the driver errors the datastore turns into client errors or retries, for
 * node:sqlite, pg and mysql2 alike.
 *
 * @module
 */

interface DriverError {
  code?: unknown;
  errno?: unknown;
  errcode?: unknown;
  constraint?: unknown;
  message?: unknown;
}

function fields(err: unknown): DriverError {
  return typeof err === "object" && err !== null ? err as DriverError : {};
}

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_UNIQUE_PREFIX = "UNIQUE constraint failed: ";
const MYSQL_DUP_ENTRY = 1062;
const MYSQL_LOCK_WAIT_TIMEOUT = 1205;
const MYSQL_DEADLOCK = 1213;

/**
 * When `err` is a unique-key violation, what it names: the constraint (PostgreSQL), the
 * key (MySQL) or the columns (SQLite, e.g. `apps.name`); otherwise undefined.
 */
export function uniqueViolation(err: unknown): string | undefined {
  const e = fields(err);
  const message = typeof e.message === "string" ? e.message : "";
  if (e.code === "23505") {
    return typeof e.constraint === "string" ? e.constraint : message;
  }
  if (e.errno === MYSQL_DUP_ENTRY || e.code === "ER_DUP_ENTRY") {
    return /for key '([^']*)'/.exec(message)?.[1] ?? message;
  }
  const sqliteUnique = e.errcode === SQLITE_CONSTRAINT_UNIQUE ||
    e.errcode === SQLITE_CONSTRAINT_PRIMARYKEY ||
    // DatabaseSync.exec() reports no errcode, only the message.
    (e.code === "ERR_SQLITE_ERROR" && e.errcode === undefined);
  if (sqliteUnique && message.startsWith(SQLITE_UNIQUE_PREFIX)) {
    return message.slice(SQLITE_UNIQUE_PREFIX.length);
  }
  return undefined;
}

/** Whether a violation named by {@linkcode uniqueViolation} is of a primary key (an id). */
export function isPrimaryKeyViolation(what: string): boolean {
  return /(_pkey$|^primary$|\.primary$|^\w+\.id$)/i.test(what);
}

/**
 * Whether `err` says another transaction got in the way (deadlock, serialization failure,
 * lock wait timeout), so that running the whole transaction again may succeed.
 */
export function isTransientConflict(err: unknown): boolean {
  const e = fields(err);
  return e.code === "40001" || e.code === "40P01" || e.errno === MYSQL_DEADLOCK ||
    e.errno === MYSQL_LOCK_WAIT_TIMEOUT;
}

/** Whether `err` is SQLite's SQLITE_BUSY/SQLITE_LOCKED (another connection holds a lock). */
export function isSqliteBusy(err: unknown): boolean {
  const e = fields(err);
  if (typeof e.errcode !== "number") {
    // DatabaseSync.exec() reports no errcode, only SQLite's message.
    return e.code === "ERR_SQLITE_ERROR" && typeof e.message === "string" &&
      /^database (table |schema )?is locked/.test(e.message);
  }
  const primary = e.errcode & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}
