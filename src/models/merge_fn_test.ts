import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import type { Fn } from "./fn.ts";
import { checkFnPatchId, mergeFn } from "./merge_fn.ts";

const created = new Date("2026-01-01T00:00:00.000Z");
const later = new Date("2026-01-02T00:00:00.000Z");
const fn: Fn = {
  id: "F1",
  name: "f",
  appId: "A1",
  image: "img:1",
  memoryMb: 128,
  timeoutSeconds: 30,
  idleTimeoutSeconds: 30,
  config: { a: "1" },
  annotations: {},
  shape: "GENERIC_X86",
  createdAt: created,
  updatedAt: created,
};

Deno.test("mergeFn() replaces image and non-zero resources, merges maps", () => {
  const merged = mergeFn(fn, {
    image: "img:2",
    memoryMb: 256,
    timeoutSeconds: 60,
    idleTimeoutSeconds: 120,
    config: { a: "", b: "2" },
    annotations: { k: "v" },
  }, later);
  assert.equal(merged.image, "img:2");
  assert.deepEqual([merged.memoryMb, merged.timeoutSeconds, merged.idleTimeoutSeconds], [
    256,
    60,
    120,
  ]);
  assert.deepEqual(merged.config, { b: "2" });
  assert.deepEqual(merged.annotations, { k: "v" });
  assert.equal(merged.updatedAt, later);
});

Deno.test("mergeFn() ignores name and app_id and keeps updated_at on a no-op", () => {
  const same = mergeFn(
    fn,
    { name: "g", appId: "A2", image: "", memoryMb: 0, timeoutSeconds: 0 },
    later,
  );
  assert.equal(same, fn);
});

Deno.test("mergeFn() rejects with Fn's messages", async (t) => {
  await t.step("Fn ID in path does not match that in body", () => {
    assertAPIError(
      () => checkFnPatchId("F1", { id: "F2" }),
      400,
      "Fn ID in path does not match that in body",
    );
    checkFnPatchId("F1", { id: "F1" });
  });
  const cases: [Parameters<typeof mergeFn>[1], string][] = [
    [{ timeoutSeconds: 301 }, "timeout value is out of range, must be between 0 and 300"],
    [{ timeoutSeconds: -5 }, "timeout value is out of range, must be between 0 and 300"],
    [
      { idleTimeoutSeconds: 4000 },
      "idle_timeout value is out of range, must be between 0 and 3600",
    ],
    [{ memoryMb: 9000 }, "memory value is out of range. It should be between 0 and 8192"],
    [
      { annotations: { ["k".repeat(129)]: 1 } },
      "Invalid annotation key length, annotation keys may not be larger than 128 bytes",
    ],
  ];
  for (const [patch, message] of cases) {
    await t.step(message, () => assertAPIError(() => mergeFn(fn, patch), 400, message));
  }
});
