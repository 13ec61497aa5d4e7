import assert from "node:assert/strict";
import { configEqual, mergeConfig, newConfig } from "./config_map.ts";

Deno.test("newConfig() keeps empty values and odd keys", () => {
  assert.deepEqual(newConfig({ "": "x", "a b": "", k: "v" }), { "": "x", "a b": "", k: "v" });
  assert.deepEqual(newConfig(undefined), {});
});

Deno.test('mergeConfig() deletes on "" and sets the rest', () => {
  assert.deepEqual(mergeConfig({ a: "1", b: "2" }, { a: "", c: "3", zz: "" }), { b: "2", c: "3" });
  assert.deepEqual(mergeConfig({ a: "1" }, {}), { a: "1" });
});

Deno.test("configEqual() compares entries", () => {
  assert.ok(configEqual({ a: "1" }, { a: "1" }));
  assert.ok(!configEqual({ a: "1" }, { a: "2" }));
  assert.ok(!configEqual({}, { a: "" }));
});
