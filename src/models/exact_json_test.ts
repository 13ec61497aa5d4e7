import assert from "node:assert/strict";
import { exactJsonNumber, isRawJsonNumber, parseJsonExact } from "./exact_json.ts";

Deno.test("exactJsonNumber() keeps a plain number when it prints back the same", () => {
  for (const raw of ["0", "42", "-7", "1.5", "123456789012345"]) {
    assert.equal(exactJsonNumber(raw), Number(raw));
  }
});

Deno.test("exactJsonNumber() keeps the text of numbers a JS number would change", async (t) => {
  for (
    const raw of ["12345678901234567890", "1e400", "-1e400", "1.0", "1e2", "-0", "1E+2", "1e-400"]
  ) {
    await t.step(raw, () => {
      const value = exactJsonNumber(raw);
      assert.ok(isRawJsonNumber(value));
      assert.equal(JSON.stringify(value), raw);
      assert.equal(JSON.stringify({ k: [value] }), `{"k":[${raw}]}`);
    });
  }
});

Deno.test("exactJsonNumber() throws when the text is not a JSON number", () => {
  assert.throws(() => exactJsonNumber("1e"), SyntaxError);
  assert.throws(() => exactJsonNumber(" 1.0"), SyntaxError);
});

Deno.test("parseJsonExact() gives back every number as written, at any depth", () => {
  const text = '{"big":12345678901234567890,"inf":1e400,"o":{"x":[1.0,2,-0]},"s":"1e400"}';
  const value = parseJsonExact(text) as Record<string, unknown>;
  assert.equal(JSON.stringify(value), text);
  assert.equal(value.s, "1e400");
  assert.deepEqual((value.o as { x: unknown[] }).x[1], 2);
});
