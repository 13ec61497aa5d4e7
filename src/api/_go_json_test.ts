import assert from "node:assert/strict";
import { jsonNodeToValue, JsonSyntaxError, parseFirstJsonValue } from "./_go_json.ts";

Deno.test("parseFirstJsonValue() reads only the first value", () => {
  const node = parseFirstJsonValue(' {"name":"a"} garbage');
  assert.deepEqual(jsonNodeToValue(node), { name: "a" });
  assert.deepEqual(jsonNodeToValue(parseFirstJsonValue("null x")), null);
});

Deno.test("parseFirstJsonValue() keeps entries in order, repeats included", () => {
  const node = parseFirstJsonValue('{"name":"a","NAME":"b","name":"c"}');
  assert.equal(node.kind, "object");
  if (node.kind !== "object") return;
  assert.deepEqual(node.entries.map(([k]) => k), ["name", "NAME", "name"]);
});

Deno.test("parseFirstJsonValue() keeps number literals", () => {
  const node = parseFirstJsonValue("[1.0, -0, 1e2, 18446744073709551616]");
  assert.equal(node.kind, "array");
  if (node.kind !== "array") return;
  assert.deepEqual(node.items.map((n) => n.kind === "number" ? n.raw : ""), [
    "1.0",
    "-0",
    "1e2",
    "18446744073709551616",
  ]);
});

Deno.test("parseFirstJsonValue() decodes escapes and unicode", () => {
  const value = jsonNodeToValue(
    parseFirstJsonValue('"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00ü"'),
  );
  assert.equal(value, 'a"\\/\b\f\n\r\té😀ü');
});

Deno.test("parseFirstJsonValue() rejects what Go's decoder rejects", async (t) => {
  for (
    const bad of [
      "",
      "   ",
      "{",
      '{"a":}',
      '{"a" 1}',
      "{'a':1}",
      "[1,]",
      '{"a":01}',
      "+1",
      ".5",
      '{"a":1.}',
      "tru",
      '"a\nb"',
      '"\\x"',
      '"\\u12"',
      '{"a":1,}',
    ]
  ) {
    await t.step(JSON.stringify(bad), () => {
      assert.throws(() => parseFirstJsonValue(bad), JsonSyntaxError);
    });
  }
});

Deno.test("parseFirstJsonValue() rejects nesting deeper than 1000", () => {
  assert.throws(() => parseFirstJsonValue("[".repeat(2000)), JsonSyntaxError);
  parseFirstJsonValue("[".repeat(500) + "]".repeat(500));
});

Deno.test("jsonNodeToValue() keeps the spelling of numbers a JS number would change", () => {
  const text = '{"k":12345678901234567890,"e":1e400,"f":1.0,"n":[-0,1E2,42]}';
  const value = jsonNodeToValue(parseFirstJsonValue(text)) as Record<string, unknown>;
  assert.equal(JSON.stringify(value), text);
  assert.equal((value.n as unknown[])[2], 42);
});
