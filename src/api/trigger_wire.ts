/**
 * The wire form of a trigger (`api-v2.md` §3.3): body fields in, JSON out in Fn's key
 * order.
 *
 * @module
 */

import type { Trigger } from "../models/trigger.ts";
import type { TriggerFields } from "../models/validate_trigger.ts";
import { nonEmpty } from "./app_wire.ts";
import { jsonObject, jsonSortedMap, type JsonText, jsonValue } from "./json_text.ts";
import { decodeFields, type JsonEntries } from "./wire_fields.ts";

const TRIGGER_SCHEMA = {
  id: "string",
  name: "string",
  app_id: "string",
  fn_id: "string",
  created_at: "time",
  updated_at: "time",
  type: "string",
  source: "string",
  annotations: "annotations",
} as const;

/**
 * Decodes a trigger body (create or patch).
 *
 * @throws {APIError} 400 `Invalid JSON` when a field has the wrong type
 */
export function decodeTriggerFields(entries: JsonEntries): TriggerFields {
  const f = decodeFields(entries, TRIGGER_SCHEMA);
  return {
    id: f.id,
    name: f.name,
    appId: f.app_id,
    fnId: f.fn_id,
    type: f.type,
    source: f.source,
    annotations: f.annotations,
    createdAt: f.created_at,
    updatedAt: f.updated_at,
  };
}

/** The JSON of a trigger, with `annotations` as given (server annotations added). */
export function encodeTrigger(
  trigger: Trigger,
  annotations: Trigger["annotations"] = trigger.annotations,
): JsonText {
  return jsonObject([
    ["id", jsonValue(trigger.id)],
    ["name", jsonValue(trigger.name)],
    ["app_id", jsonValue(trigger.appId)],
    ["fn_id", jsonValue(trigger.fnId)],
    ["created_at", jsonValue(trigger.createdAt.toISOString())],
    ["updated_at", jsonValue(trigger.updatedAt.toISOString())],
    ["type", jsonValue(trigger.type)],
    ["source", jsonValue(trigger.source)],
    ["annotations", nonEmpty(annotations) ? jsonSortedMap(annotations) : undefined],
  ]);
}
