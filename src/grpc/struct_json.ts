/**
 * Conversion between `google.protobuf.Struct` (as proto-loader decodes it) and plain
 * JSON, for `Status2`, whose Struct request becomes the status call's JSON body.
 *
 * @module
 */

import type { ProtoStruct, ProtoValue } from "./runner_messages.ts";

/** JSON values a Struct can hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Converts a decoded Struct to a plain JSON object. */
export function structToJson(struct: ProtoStruct | null | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) {
    out[key] = valueToJson(value);
  }
  return out;
}

function valueToJson(value: ProtoValue | undefined): JsonValue {
  switch (value?.kind) {
    case "numberValue":
      return value.numberValue ?? 0;
    case "stringValue":
      return value.stringValue ?? "";
    case "boolValue":
      return value.boolValue ?? false;
    case "structValue":
      return structToJson(value.structValue);
    case "listValue":
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** Converts a plain JSON object to a Struct ready to send. */
export function jsonToStruct(json: Readonly<Record<string, JsonValue>>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(json)) fields[key] = jsonToValue(value);
  return { fields };
}

function jsonToValue(value: JsonValue): ProtoValue {
  if (value === null) return { nullValue: "NULL_VALUE" };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value) };
}
