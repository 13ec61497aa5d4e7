/**
 * The rows of Fn's tables as the SQL datastore reads and writes them (Fn's column names
 * and encodings; see `migrations/` for the DDL).
 *
 * @module
 */

/** The SQL dialects fnd speaks. */
export type SqlDialectName = "sqlite" | "postgres" | "mysql";

/** A row of `apps`. */
export interface AppRow {
  id: string;
  name: string;
  /** JSON object text with a trailing newline, or `''` when empty (as Fn stores it). */
  config: string;
  /** Like `config`. */
  annotations: string;
  /** NULL when unset. */
  "syslog_url": string | null;
  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  "created_at": string | null;
  "updated_at": string | null;
  /** `''` (or NULL in old rows) when unset. */
  shape: string | null;
}

/** A row of `fns`. */
export interface FnRow {
  id: string;
  name: string;
  "app_id": string;
  image: string;
  memory: number;
  timeout: number;
  "idle_timeout": number;
  config: string;
  annotations: string;
  "created_at": string | null;
  "updated_at": string | null;
  shape: string | null;
}

/** A row of `triggers`. */
export interface TriggerRow {
  id: string;
  name: string;
  "app_id": string;
  "fn_id": string;
  "created_at": string | null;
  "updated_at": string | null;
  type: string;
  source: string;
  annotations: string;
  /**
   * fnd's addition: hex SHA-256 of `source`, so that (app_id, type, source) can be a
   * unique key on every dialect whatever the length of the source. NULL on rows written
   * by Fn itself before fnd adopted the database.
   */
  "source_hash": string | null;
}

/** Fn's migration bookkeeping, kept at Fn's version so Fn can share the database. */
export interface SchemaMigrationsRow {
  version: number;
  dirty: boolean;
}

/** The tables of the datastore, for Kysely. */
export interface Tables {
  apps: AppRow;
  fns: FnRow;
  triggers: TriggerRow;
  "schema_migrations": SchemaMigrationsRow;
}
