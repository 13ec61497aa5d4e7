/**
 * The wire form of a fn (`api-v2.md` §3.2): body fields in, JSON out in Fn's key order.
 * `config` is always present (`{}` when empty: fnd's fix of Fn's `null`), `shape` is
 * never taken from clients.
 *
 * @module
 */

import type { Fn } from "../models/fn.ts";
import type { FnFields } from "../models/validate_fn.ts";
import { nonEmpty } from "./app_wire.ts";
import { jsonObject, jsonSortedMap, type JsonText, jsonValue } from "./json_text.ts";
import { decodeFields, type JsonEntries } from "./wire_fields.ts";

const FN_SCHEMA = {
  id: "string",
  name: "string",
  app_id: "string",
  image: "string",
  memory: "uint64",
  timeout: "int32",
  idle_timeout: "int32",
  config: "config",
  annotations: "annotations",
  shape: "string",
  created_at: "time",
  updated_at: "time",
} as const;

/**
 * Decodes a fn body (create or patch); `shape` and the timestamps must parse but are
 * ignored.
 *
 * @throws {APIError} 400 `Invalid JSON` when a field has the wrong type
 */
export function decodeFnFields(entries: JsonEntries): FnFields {
  const f = decodeFields(entries, FN_SCHEMA);
  return {
    id: f.id,
    name: f.name,
    appId: f.app_id,
    image: f.image,
    memoryMb: f.memory,
    timeoutSeconds: f.timeout,
    idleTimeoutSeconds: f.idle_timeout,
    config: f.config,
    annotations: f.annotations,
  };
}

/** The JSON of a fn, with `annotations` as given (server annotations already added). */
export function encodeFn(fn: Fn, annotations: Fn["annotations"] = fn.annotations): JsonText {
  return jsonObject([
    ["id", jsonValue(fn.id)],
    ["name", jsonValue(fn.name)],
    ["app_id", jsonValue(fn.appId)],
    ["image", jsonValue(fn.image)],
    ["memory", fn.memoryMb ? jsonValue(fn.memoryMb) : undefined],
    ["timeout", fn.timeoutSeconds ? jsonValue(fn.timeoutSeconds) : undefined],
    ["idle_timeout", fn.idleTimeoutSeconds ? jsonValue(fn.idleTimeoutSeconds) : undefined],
    ["config", jsonSortedMap(fn.config)],
    ["annotations", nonEmpty(annotations) ? jsonSortedMap(annotations) : undefined],
    ["created_at", jsonValue(fn.createdAt.toISOString())],
    ["shape", fn.shape ? jsonValue(fn.shape) : undefined],
    ["updated_at", jsonValue(fn.updatedAt.toISOString())],
  ]);
}
