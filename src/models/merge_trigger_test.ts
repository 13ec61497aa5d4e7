import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import { checkTriggerPatchId, mergeTrigger } from "./merge_trigger.ts";
import type { Trigger } from "./trigger.ts";

const created = new Date("2026-01-01T00:00:00.000Z");
const later = new Date("2026-01-02T00:00:00.000Z");
const trigger: Trigger = {
  id: "T1",
  name: "t",
  appId: "A1",
  fnId: "F1",
  type: "http",
  source: "/s",
  annotations: { k: 1 },
  createdAt: created,
  updatedAt: created,
};

Deno.test("mergeTrigger() replaces name, fn_id and source, merges annotations", () => {
  const merged = mergeTrigger(trigger, {
    name: "t2",
    fnId: "F2",
    source: "/s2",
    annotations: { k: null, n: "v" },
  }, later);
  assert.deepEqual(
    [merged.name, merged.fnId, merged.source, merged.annotations],
    ["t2", "F2", "/s2", { n: "v" }],
  );
  assert.equal(merged.updatedAt, later);
});

Deno.test("mergeTrigger() ignores type and app_id and keeps updated_at on a no-op", () => {
  assert.equal(
    mergeTrigger(trigger, { type: "grpc", appId: "A9", name: "", source: "" }, later),
    trigger,
  );
});

Deno.test("mergeTrigger() validates like create", async (t) => {
  await t.step("ID in path does not match ID in body", () => {
    assertAPIError(
      () => checkTriggerPatchId("T1", { id: "T2" }),
      400,
      "ID in path does not match ID in body",
    );
    checkTriggerPatchId("T1", {});
  });
  const cases: [Parameters<typeof mergeTrigger>[1], string][] = [
    [{ name: "bad name" }, "Invalid name for Trigger"],
    [{ name: "t".repeat(256) }, "Trigger name must be 255 characters or less"],
    [{ source: "nope" }, "Missing Trigger Source Prefix '/'"],
    [
      { annotations: { k: "x".repeat(600) } },
      "Invalid annotation value length, annotation values may not be larger than 512 bytes when serialized as JSON",
    ],
  ];
  for (const [patch, message] of cases) {
    await t.step(message, () => assertAPIError(() => mergeTrigger(trigger, patch), 400, message));
  }
});
