/**
 * The wire form of an app (`api-v2.md` §3.1): body fields in, JSON out in Fn's key order
 * (`config`, `annotations`, `syslog_url`, `shape` left out when empty).
 *
 * @module
 */

import type { App } from "../models/app.ts";
import type { AppFields } from "../models/validate_app.ts";
import { jsonObject, jsonSortedMap, type JsonText, jsonValue } from "./json_text.ts";
import { decodeFields, type JsonEntries } from "./wire_fields.ts";

const APP_SCHEMA = {
  id: "string",
  name: "string",
  config: "config",
  annotations: "annotations",
  syslog_url: "string",
  shape: "string",
  created_at: "time",
  updated_at: "time",
} as const;

/**
 * Decodes an app body (create or patch). `created_at`/`updated_at` must parse but are
 * ignored, as in Fn.
 *
 * @throws {APIError} 400 `Invalid JSON` when a field has the wrong type
 */
export function decodeAppFields(entries: JsonEntries): AppFields {
  const f = decodeFields(entries, APP_SCHEMA);
  return {
    id: f.id,
    name: f.name,
    config: f.config,
    annotations: f.annotations,
    syslogUrl: f.syslog_url,
    shape: f.shape,
  };
}

/** Whether a map has entries (Go's `omitempty`). */
export function nonEmpty(record: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(record).length > 0;
}

/** The JSON of an app. */
export function encodeApp(app: App): JsonText {
  return jsonObject([
    ["id", jsonValue(app.id)],
    ["name", jsonValue(app.name)],
    ["config", nonEmpty(app.config) ? jsonSortedMap(app.config) : undefined],
    ["annotations", nonEmpty(app.annotations) ? jsonSortedMap(app.annotations) : undefined],
    ["syslog_url", app.syslogUrl === undefined ? undefined : jsonValue(app.syslogUrl)],
    ["shape", app.shape ? jsonValue(app.shape) : undefined],
    ["created_at", jsonValue(app.createdAt.toISOString())],
    ["updated_at", jsonValue(app.updatedAt.toISOString())],
  ]);
}
