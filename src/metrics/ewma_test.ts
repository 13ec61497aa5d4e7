import assert from "node:assert/strict";
import { Ewma } from "./ewma.ts";

Deno.test("Ewma starts at the first sample and moves by alpha", () => {
  const e = new Ewma(0.5);
  assert.equal(e.value, undefined);
  e.add(10);
  assert.equal(e.value, 10);
  e.add(20);
  assert.equal(e.value, 15);
  e.add(Number.NaN);
  e.add(-1);
  assert.equal(e.value, 15, "bad samples are ignored");
});

Deno.test("new Ewma() rejects an alpha outside (0, 1]", () => {
  assert.throws(() => new Ewma(0), RangeError);
  assert.throws(() => new Ewma(1.5), /'alpha' must be in \(0, 1\]/);
});
