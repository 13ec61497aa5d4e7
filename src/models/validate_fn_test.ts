import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import { type FnFields, newFn } from "./validate_fn.ts";

const base: FnFields = { appId: "A1", name: "f", image: "img:1" };

Deno.test("newFn() fills the defaults 128 MB, 30 s, 30 s", () => {
  const fn = newFn(base);
  assert.equal(fn.memoryMb, 128);
  assert.equal(fn.timeoutSeconds, 30);
  assert.equal(fn.idleTimeoutSeconds, 30);
  assert.deepEqual(fn.config, {});
  assert.deepEqual(fn.annotations, {});
  assert.equal(fn.shape, undefined);
});

Deno.test("newFn() keeps given resources at the range edges", () => {
  const fn = newFn({ ...base, memoryMb: 8192, timeoutSeconds: 300, idleTimeoutSeconds: 3600 });
  assert.deepEqual([fn.memoryMb, fn.timeoutSeconds, fn.idleTimeoutSeconds], [8192, 300, 3600]);
});

Deno.test("newFn() checks in Fn's order, first failure wins", async (t) => {
  const cases: [FnFields, string][] = [
    [{ id: "x" }, "ID cannot be provided for Fn creation"],
    [{ name: "f" }, "Missing AppID on Fn"],
    [{ appId: "A1" }, "Missing Fn name"],
    [{ appId: "A1", name: "f".repeat(256) }, "Fn name must be 255 characters or less"],
    [{ appId: "A1", name: "a b" }, "name must be a valid string"],
    [{ appId: "A1", name: "f", timeoutSeconds: 301 }, "Missing image on Fn"],
    [
      { ...base, timeoutSeconds: 301, memoryMb: 9000 },
      "timeout value is out of range, must be between 0 and 300",
    ],
    [{ ...base, timeoutSeconds: -1 }, "timeout value is out of range, must be between 0 and 300"],
    [
      { ...base, idleTimeoutSeconds: 3601, memoryMb: 9000 },
      "idle_timeout value is out of range, must be between 0 and 3600",
    ],
    [
      { ...base, memoryMb: 8193, annotations: { k: "" } },
      "memory value is out of range. It should be between 0 and 8192",
    ],
    [
      { ...base, annotations: { k: null } },
      "Invalid annotation value, annotation values may only be non-empty strings, numbers, objects, or arrays",
    ],
  ];
  for (const [fields, message] of cases) {
    await t.step(message, () => assertAPIError(() => newFn(fields), 400, message));
  }
});
