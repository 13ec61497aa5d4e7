import assert from "node:assert/strict";
import { exactJsonNumber } from "../models/exact_json.ts";
import { compareCodePoints, jsonObject, jsonSortedMap, jsonValue } from "./json_text.ts";

Deno.test("jsonValue() escapes like Go's encoder", () => {
  assert.equal(jsonValue("<a>&\u2028"), '"\\u003ca\\u003e\\u0026\\u2028"');
  assert.equal(JSON.parse(jsonValue("<a>&")), "<a>&");
});

Deno.test("jsonSortedMap() sorts keys byte-wise, integer-like keys included", () => {
  assert.equal(
    jsonSortedMap({ b: 1, "10": 2, "9": 3, B: 4, "é": 5 }),
    '{"10":2,"9":3,"B":4,"b":1,"é":5}',
  );
});

Deno.test("compareCodePoints() orders astral characters after U+FFFF", () => {
  assert.ok(compareCodePoints("\uffff", "😀") < 0);
  assert.ok(compareCodePoints("a", "ab") < 0);
  assert.equal(compareCodePoints("ab", "ab"), 0);
});

Deno.test("jsonObject() keeps field order and leaves out undefined", () => {
  assert.equal(
    jsonObject([["z", jsonValue(1)], ["a", undefined], ["m", jsonValue("x")]]),
    '{"z":1,"m":"x"}',
  );
});

Deno.test("jsonSortedMap() writes exact JSON numbers as they were read", () => {
  const map = { k: exactJsonNumber("12345678901234567890"), e: exactJsonNumber("1e400") };
  assert.equal(jsonSortedMap(map), '{"e":1e400,"k":12345678901234567890}');
});
