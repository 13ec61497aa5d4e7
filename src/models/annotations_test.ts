import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import {
  annotationMessages as m,
  annotationsEqual,
  mergeAnnotations,
  validateNewAnnotations,
} from "./annotations.ts";

function many(n: number): Record<string, unknown> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
}

Deno.test("validateNewAnnotations() accepts any non-empty JSON value", () => {
  const a = { b: false, k: [], o: {}, z: 0, s: "x".repeat(510), "!~": { x: [1, null] } };
  assert.deepEqual(validateNewAnnotations(a), a);
  assert.deepEqual(validateNewAnnotations(undefined), {});
  assert.equal(Object.keys(validateNewAnnotations(many(100))).length, 100);
});

Deno.test("validateNewAnnotations() rejects with Fn's messages", async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["key with a space", { "a b": 1 }, m.invalidKey],
    ["empty key", { "": 1 }, m.invalidKey],
    ["non-ascii key", { "é": 1 }, m.invalidKey],
    ["key over 128 bytes", { ["k".repeat(129)]: 1 }, m.keyTooLong],
    ["empty string value", { k: "" }, m.emptyValue],
    ["null value (fnd: 400, Fn: 500)", { k: null }, m.emptyValue],
    ["value over 512 bytes", { k: "x".repeat(511) }, m.valueTooLong],
    ["101 keys", many(101), m.tooManyKeys],
  ];
  for (const [title, annotations, message] of cases) {
    await t.step(`${title}: ${message}`, () => {
      assertAPIError(() => validateNewAnnotations(annotations), 400, message);
    });
  }
});

Deno.test('mergeAnnotations() deletes on "" and null, replaces the rest', () => {
  const merged = mergeAnnotations({ a: 1, b: 2, c: 3 }, {
    a: "",
    b: null,
    c: { x: 1 },
    d: true,
    e: "",
  });
  assert.deepEqual(merged, { c: { x: 1 }, d: true });
  assert.deepEqual(mergeAnnotations({ a: 1 }, undefined), { a: 1 });
});

Deno.test("mergeAnnotations() checks set entries and the merged count", async (t) => {
  await t.step(
    m.invalidKey,
    () => assertAPIError(() => mergeAnnotations({}, { "a b": 1 }), 400, m.invalidKey),
  );
  await t.step(m.keyTooLong, () => {
    assertAPIError(() => mergeAnnotations({}, { ["k".repeat(129)]: 1 }), 400, m.keyTooLong);
  });
  await t.step(m.valueTooLong, () => {
    assertAPIError(() => mergeAnnotations({}, { k: "x".repeat(600) }), 400, m.valueTooLong);
  });
  await t.step(m.tooManyKeys, () => {
    assertAPIError(() => mergeAnnotations(many(100), { extra: 1 }), 400, m.tooManyKeys);
  });
  await t.step("a delete and an add at 100 keys is fine", () => {
    assert.equal(Object.keys(mergeAnnotations(many(100), { k0: "", extra: 1 })).length, 100);
  });
});

Deno.test("mergeAnnotations() keeps a __proto__ key as data", () => {
  const merged = mergeAnnotations({}, JSON.parse('{"__proto__":{"polluted":1}}'));
  assert.deepEqual(Object.keys(merged), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("annotationsEqual() compares keys and JSON values", () => {
  assert.ok(annotationsEqual({ a: { x: 1 } }, { a: { x: 1 } }));
  assert.ok(!annotationsEqual({ a: 1 }, { a: 2 }));
  assert.ok(!annotationsEqual({ a: 1 }, { b: 1 }));
  assert.ok(!annotationsEqual({ a: 1 }, { a: 1, b: 1 }));
});
