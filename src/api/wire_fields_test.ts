import assert from "node:assert/strict";
import { assertAPIError } from "../models/_assert_api_error.ts";
import { parseJsonObject } from "./read_json_body.ts";
import { decodeFields, parseTimestamp } from "./wire_fields.ts";

const schema = {
  name: "string",
  memory: "uint64",
  timeout: "int32",
  config: "config",
  annotations: "annotations",
  created_at: "time",
} as const;

function decode(text: string) {
  return decodeFields(parseJsonObject(text), schema);
}

Deno.test("decodeFields() matches keys case-insensitively, the last one wins", () => {
  assert.deepEqual(decode('{"NAME":"x"}'), { name: "x" });
  assert.deepEqual(decode('{"name":"a","NAME":"b","Name":"c"}'), { name: "c" });
  assert.deepEqual(decode('{"nameſ":"x","unknown":[1]}'), {});
});

Deno.test('decodeFields() treats null as unset and null config values as ""', () => {
  assert.deepEqual(decode('{"name":null,"memory":null,"config":{"a":null,"b":"x"}}'), {
    name: undefined,
    memory: undefined,
    config: { a: "", b: "x" },
  });
  assert.deepEqual(decode("null"), {});
});

Deno.test("decodeFields() keeps null annotation values and __proto__ keys", () => {
  const fields = decode('{"annotations":{"k":null,"__proto__":{"x":1},"n":1.5}}');
  assert.deepEqual(Object.keys(fields.annotations ?? {}), ["k", "__proto__", "n"]);
  assert.equal(fields.annotations?.k, null);
});

Deno.test("decodeFields() accepts the integer ranges of Go's types", () => {
  assert.equal(decode('{"memory":18446744073709551615}').memory, 2 ** 64);
  assert.equal(decode('{"timeout":-2147483648}').timeout, -(2 ** 31));
  assert.equal(decode('{"timeout":-0}').timeout, 0);
});

Deno.test("decodeFields() rejects wrong types with Invalid JSON", async (t) => {
  for (
    const bad of [
      '{"memory":"12"}',
      '{"memory":1.5}',
      '{"memory":-1}',
      '{"memory":-0}',
      '{"memory":1e2}',
      '{"memory":18446744073709551616}',
      '{"timeout":2147483648}',
      '{"timeout":1.0}',
      '{"name":5}',
      '{"name":true}',
      '{"config":{"a":1}}',
      '{"config":[]}',
      '{"annotations":"x"}',
      '{"created_at":"yesterday"}',
      '{"created_at":5}',
      "[]",
      '"x"',
      "5",
      "",
      "{",
      "\ufeff{}",
    ]
  ) {
    await t.step(bad, () => assertAPIError(() => decode(bad), 400, "Invalid JSON"));
  }
});

Deno.test("parseTimestamp() reads RFC 3339 with 0, 3, 6 or 9 fraction digits", () => {
  assert.equal(parseTimestamp("").getTime(), 0);
  assert.equal(parseTimestamp("2026-11-22T12:45:17Z").toISOString(), "2026-11-22T12:45:17.000Z");
  assert.equal(
    parseTimestamp("2026-11-22T12:45:17.044Z").toISOString(),
    "2026-11-22T12:45:17.044Z",
  );
  assert.equal(
    parseTimestamp("2026-11-22T12:45:17.044123Z").toISOString(),
    "2026-11-22T12:45:17.044Z",
  );
  assert.equal(
    parseTimestamp("2026-11-22T12:45:17.044123456+02:00").toISOString(),
    "2026-11-22T10:45:17.044Z",
  );
  assert.equal(parseTimestamp("0001-01-01T00:00:00Z").toISOString(), "0001-01-01T00:00:00.000Z");
});

Deno.test("parseTimestamp() rejects other forms", async (t) => {
  for (
    const bad of [
      "2026-11-22",
      "2026-11-22T12:45:17",
      "2026-11-22 12:45:17Z",
      "2026-11-22T12:45:17.04Z",
      "2026-13-01T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T00:00:60Z",
      "2026-01-01T00:00:00z",
    ]
  ) {
    await t.step(bad, () => assertAPIError(() => parseTimestamp(bad), 400, "Invalid JSON"));
  }
});

Deno.test("decodeFields() keeps annotation numbers exactly as written", () => {
  const fields = decode('{"annotations":{"k":12345678901234567890,"e":1e400,"o":{"x":1.0}}}');
  assert.equal(
    JSON.stringify(fields.annotations),
    '{"k":12345678901234567890,"e":1e400,"o":{"x":1.0}}',
  );
});
