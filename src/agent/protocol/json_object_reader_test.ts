import assert from "node:assert/strict";
import { JsonFrameError, readJsonObject } from "./json_object_reader.ts";
import { sourceOf } from "./_test_source.ts";

Deno.test("readJsonObject() reads one object across chunks and lines, leaving the rest", async () => {
  const src = sourceOf('  \n{"a": "}{\\"", ', '"b": {"c": [1, {}]}\n}', '\n{"next":1}');
  assert.deepEqual(JSON.parse(await readJsonObject(src, 0)), { a: '}{"', b: { c: [1, {}] } });
  assert.equal(new TextDecoder().decode(src.buffered()), '\n{"next":1}');
});

Deno.test("readJsonObject() rejects non-objects, EOF and oversized objects", async (t) => {
  await t.step("array", () => assert.rejects(readJsonObject(sourceOf("[1]"), 0), JsonFrameError));
  await t.step("EOF", () => assert.rejects(readJsonObject(sourceOf('{"a":'), 0), /unexpected EOF/));
  await t.step(
    "cap",
    () =>
      assert.rejects(readJsonObject(sourceOf('{"a":"' + "x".repeat(50) + '"}'), 20), /too large/),
  );
});
