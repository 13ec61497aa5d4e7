/**
 * Decoding request body fields with Go's typing rules (`api-v2.md` §1.1): keys match
 * case-insensitively and the last one wins, unknown keys are ignored, JSON `null`
 * leaves a field unset, and a value of the wrong type fails the whole body with 400
 * `Invalid JSON`: memory is an unsigned 64-bit integer, timeouts are int32, config
 * values are strings (`null` becomes `""`), timestamps are RFC 3339.
 *
 * @module
 */

import { APIError, messages } from "../models/api_error.ts";
import { type JsonNode, jsonNodeToValue } from "./_go_json.ts";

/** The Go types fields can have. */
export type FieldType = "string" | "uint64" | "int32" | "config" | "annotations" | "time";

interface FieldValues {
  string: string;
  uint64: number;
  int32: number;
  config: Record<string, string>;
  annotations: Record<string, unknown>;
  time: Date;
}

/** The decoded fields of a body; a field is undefined when absent or `null`. */
export type DecodedFields<S extends Record<string, FieldType>> = {
  -readonly [K in keyof S]?: FieldValues[S[K]];
};

/** Object entries, as {@linkcode readJsonObject} returns them. */
export type JsonEntries = readonly (readonly [string, JsonNode])[];

const MAX_UINT64 = (1n << 64n) - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3}|\.\d{6}|\.\d{9})?(Z|[+-]\d{2}:\d{2})$/;

function invalid(): APIError {
  return new APIError(400, messages.invalidJSON);
}

// Go's case folding for field names (EqualFold); `ſ` and the Kelvin sign fold to s/k.
function foldKey(key: string): string {
  return key.toLowerCase().replaceAll("ſ", "s");
}

/**
 * Decodes `entries` into the fields of `schema`.
 *
 * @throws {APIError} 400 `Invalid JSON` when a field has the wrong type
 */
export function decodeFields<S extends Record<string, FieldType>>(
  entries: JsonEntries,
  schema: S,
): DecodedFields<S> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of entries) {
    const field = Object.keys(schema).find((name) => name === foldKey(key));
    if (field === undefined) continue;
    const type = schema[field] as FieldType;
    out[field] = node.kind === "null" ? undefined : decodeField(node, type);
  }
  return out as DecodedFields<S>;
}

function decodeField(node: JsonNode, type: FieldType): unknown {
  switch (type) {
    case "string":
      if (node.kind !== "string") throw invalid();
      return node.value;
    case "uint64":
      return decodeInteger(node, 0n, MAX_UINT64);
    case "int32":
      return decodeInteger(node, BigInt(INT32_MIN), BigInt(INT32_MAX));
    case "config":
      return decodeConfig(node);
    case "annotations":
      if (node.kind !== "object") throw invalid();
      // A Map keeps the last of repeated keys; fromEntries defines data properties, so
      // a `__proto__` key stays an ordinary key.
      return Object.fromEntries(new Map(node.entries.map(([k, v]) => [k, jsonNodeToValue(v)])));
    case "time":
      if (node.kind !== "string") throw invalid();
      return parseTimestamp(node.value);
  }
}

function decodeInteger(node: JsonNode, min: bigint, max: bigint): number {
  if (node.kind !== "number" || !/^-?(0|[1-9][0-9]*)$/.test(node.raw)) throw invalid();
  if (min === 0n && node.raw.startsWith("-")) throw invalid();
  const value = BigInt(node.raw);
  if (value < min || value > max) throw invalid();
  return Number(value);
}

function decodeConfig(node: JsonNode): Record<string, string> {
  if (node.kind !== "object") throw invalid();
  const config = new Map<string, string>();
  for (const [key, value] of node.entries) {
    if (value.kind === "null") config.set(key, "");
    else if (value.kind === "string") config.set(key, value.value);
    else throw invalid();
  }
  return Object.fromEntries(config);
}

/**
 * Parses a client timestamp: RFC 3339 with 0, 3, 6 or 9 fractional digits; `""` is the
 * Unix epoch, as in Fn.
 *
 * @throws {APIError} 400 `Invalid JSON` for anything else
 */
export function parseTimestamp(text: string): Date {
  if (text === "") return new Date(0);
  const m = RFC3339.exec(text);
  if (m === null) throw invalid();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!);
  date.setUTCHours(hour!, minute!, second!, Number((m[7] ?? ".0").slice(1, 4).padEnd(3, "0")));
  const sane = date.getUTCMonth() === month! - 1 && date.getUTCDate() === day! &&
    hour! < 24 && minute! < 60 && second! < 60;
  if (!sane) throw invalid();
  const zone = m[8] ?? "Z";
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 23 || zm > 59) throw invalid();
    date.setTime(date.getTime() - sign * (zh * 60 + zm) * 60_000);
  }
  return date;
}
