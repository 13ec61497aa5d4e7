import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import { newTrigger, type TriggerFields } from "./validate_trigger.ts";

const base: TriggerFields = { appId: "A1", fnId: "F1", name: "t", type: "http", source: "/s" };

Deno.test("newTrigger() builds a trigger and accepts any source starting with /", () => {
  for (const source of ["/", "/a/b/", "/p?q=1 x"]) {
    const t = newTrigger({ ...base, source, annotations: { k: 1 } });
    assert.equal(t.source, source);
    assert.equal(t.type, "http");
    assert.deepEqual(t.annotations, { k: 1 });
  }
});

Deno.test("newTrigger() accepts Go's zero time as created_at/updated_at", () => {
  const zero = new Date("0001-01-01T00:00:00Z");
  newTrigger({ ...base, createdAt: zero, updatedAt: zero });
});

Deno.test("newTrigger() checks in Fn's order, first failure wins", async (t) => {
  const epoch = new Date(0);
  const cases: [TriggerFields, string][] = [
    [{ id: "x", createdAt: epoch }, "ID cannot be provided for Trigger creation"],
    [{ createdAt: epoch, updatedAt: epoch }, "Trigger Created At Provided for Create"],
    [{ updatedAt: epoch }, "Trigger ID Provided for Create"],
    [{ name: "t" }, "Missing App ID on Trigger"],
    [{ appId: "A1" }, "Missing name on Trigger"],
    [{ appId: "A1", name: "t".repeat(256) }, "Trigger name must be 255 characters or less"],
    [{ appId: "A1", name: "t.1" }, "Invalid name for Trigger"],
    [{ appId: "A1", name: "t", type: "x" }, "Missing Fn ID on Trigger"],
    [{ ...base, type: "HTTP" }, "Trigger Type Not Supported"],
    [{ ...base, type: undefined }, "Trigger Type Not Supported"],
    [{ ...base, source: "" }, "Missing Trigger Source"],
    [{ ...base, source: "s" }, "Missing Trigger Source Prefix '/'"],
    [
      { ...base, annotations: { "": 1 } },
      "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
    ],
  ];
  for (const [fields, message] of cases) {
    await t.step(message, () => assertAPIError(() => newTrigger(fields), 400, message));
  }
});
