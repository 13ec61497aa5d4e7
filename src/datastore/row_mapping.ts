/**
 * Conversion between the models and Fn's stored encodings: config and annotations as JSON
 * object text with a trailing newline (`''` when empty), timestamps as
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` strings, unset syslog URL as NULL, unset shape as `''`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { App } from "../models/app.ts";
import { parseJsonExact } from "../models/exact_json.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import type { AppRow, FnRow, TriggerRow } from "./tables.ts";

/**
 * Encodes a config or annotations map as Fn does (Go's `json.Encoder`: keys sorted, a
 * trailing newline), or `''` when the map is empty.
 */
export function encodeMap(map: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return "";
  const sorted: Record<string, unknown> = {};
  for (const key of keys) sorted[key] = map[key];
  return JSON.stringify(sorted) + "\n";
}

/**
 * Decodes a stored config or annotations column; `''` and NULL read as `{}`. Numbers
 * keep their stored spelling (`models/exact_json.ts`), as Fn keeps annotation values.
 *
 * @throws {Error} naming the row when the text is not a JSON object (a corrupt row)
 */
export function decodeMap(text: string | null, where: string): Record<string, unknown> {
  if (text === null || text.trim() === "") return {};
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (err) {
    throw new Error(`The stored ${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`The stored ${where} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Formats a timestamp as Fn stores it: `YYYY-MM-DDTHH:MM:SS.mmmZ` (always UTC). */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
}

/**
 * Parses a stored timestamp; Fn may have written a local offset (`+02:00`) instead of
 * `Z`. NULL or `''` (never written by Fn or fnd) reads as the Unix epoch.
 *
 * @throws {Error} naming the row when the text is not a timestamp
 */
export function parseTimestamp(text: string | null, where: string): Date {
  if (text === null || text === "") return new Date(0);
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`The stored ${where} ${JSON.stringify(text)} is not a timestamp`);
  }
  return date;
}

/** Hex SHA-256 of a trigger source: the `source_hash` column behind the unique key. */
export function sourceHash(source: string): string {
  return createHash("sha256").update(source, "utf8").digest("hex");
}

function optional(text: string | null): string | undefined {
  return text === null || text === "" ? undefined : text;
}

/** The `apps` row of an app. */
export function appToRow(app: App): AppRow {
  return {
    id: app.id,
    name: app.name,
    config: encodeMap(app.config),
    annotations: encodeMap(app.annotations),
    syslog_url: app.syslogUrl ?? null,
    created_at: formatTimestamp(app.createdAt),
    updated_at: formatTimestamp(app.updatedAt),
    shape: app.shape ?? "",
  };
}

/** The app stored in an `apps` row. @throws {Error} when the row is corrupt */
export function rowToApp(row: AppRow): App {
  const where = (column: string) => `${column} of app ${row.id}`;
  const app: App = {
    id: row.id,
    name: row.name,
    config: decodeMap(row.config, where("config")) as Record<string, string>,
    annotations: decodeMap(row.annotations, where("annotations")),
    createdAt: parseTimestamp(row.created_at, where("created_at")),
    updatedAt: parseTimestamp(row.updated_at, where("updated_at")),
  };
  const syslogUrl = row.syslog_url ?? undefined;
  const shape = optional(row.shape);
  return {
    ...app,
    ...(syslogUrl === undefined ? {} : { syslogUrl }),
    ...(shape === undefined ? {} : { shape }),
  };
}

/** The `fns` row of a fn. */
export function fnToRow(fn: Fn): FnRow {
  return {
    id: fn.id,
    name: fn.name,
    app_id: fn.appId,
    image: fn.image,
    memory: fn.memoryMb,
    timeout: fn.timeoutSeconds,
    idle_timeout: fn.idleTimeoutSeconds,
    config: encodeMap(fn.config),
    annotations: encodeMap(fn.annotations),
    created_at: formatTimestamp(fn.createdAt),
    updated_at: formatTimestamp(fn.updatedAt),
    shape: fn.shape ?? "",
  };
}

/** The fn stored in a `fns` row. @throws {Error} when the row is corrupt */
export function rowToFn(row: FnRow): Fn {
  const where = (column: string) => `${column} of fn ${row.id}`;
  const fn: Fn = {
    id: row.id,
    name: row.name,
    appId: row.app_id,
    image: row.image,
    memoryMb: Number(row.memory),
    timeoutSeconds: Number(row.timeout),
    idleTimeoutSeconds: Number(row.idle_timeout),
    config: decodeMap(row.config, where("config")) as Record<string, string>,
    annotations: decodeMap(row.annotations, where("annotations")),
    createdAt: parseTimestamp(row.created_at, where("created_at")),
    updatedAt: parseTimestamp(row.updated_at, where("updated_at")),
  };
  const shape = optional(row.shape);
  return shape === undefined ? fn : { ...fn, shape };
}

/** The `triggers` row of a trigger. */
export function triggerToRow(trigger: Trigger): TriggerRow {
  return {
    id: trigger.id,
    name: trigger.name,
    app_id: trigger.appId,
    fn_id: trigger.fnId,
    created_at: formatTimestamp(trigger.createdAt),
    updated_at: formatTimestamp(trigger.updatedAt),
    type: trigger.type,
    source: trigger.source,
    annotations: encodeMap(trigger.annotations),
    source_hash: sourceHash(trigger.source),
  };
}

/** The trigger stored in a `triggers` row. @throws {Error} when the row is corrupt */
export function rowToTrigger(row: TriggerRow): Trigger {
  const where = (column: string) => `${column} of trigger ${row.id}`;
  return {
    id: row.id,
    name: row.name,
    appId: row.app_id,
    fnId: row.fn_id,
    type: row.type,
    source: row.source,
    annotations: decodeMap(row.annotations, where("annotations")),
    createdAt: parseTimestamp(row.created_at, where("created_at")),
    updatedAt: parseTimestamp(row.updated_at, where("updated_at")),
  };
}
