import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import type { App } from "./app.ts";
import { checkAppPatchId, mergeApp } from "./merge_app.ts";

const created = new Date("2026-01-01T00:00:00.000Z");
const later = new Date("2026-01-02T00:00:00.000Z");
const app: App = {
  id: "A1",
  name: "app",
  config: { a: "1", b: "2" },
  annotations: { k: 1 },
  syslogUrl: "tcp://x:1",
  shape: "GENERIC_X86",
  createdAt: created,
  updatedAt: created,
};

Deno.test("mergeApp() merges config and annotations and bumps updated_at", () => {
  const merged = mergeApp(
    app,
    { config: { a: "", c: "3" }, annotations: { k: "", n: [1] } },
    later,
  );
  assert.deepEqual(merged.config, { b: "2", c: "3" });
  assert.deepEqual(merged.annotations, { n: [1] });
  assert.equal(merged.updatedAt, later);
  assert.equal(merged.createdAt, created);
});

Deno.test("mergeApp() keeps updated_at on a no-op patch", () => {
  for (
    const patch of [{}, { name: "app" }, { name: "" }, { config: { a: "1" } }, { shape: "bogus" }]
  ) {
    assert.equal(mergeApp(app, patch, later), app);
  }
});

Deno.test("mergeApp() replaces, removes and validates syslog_url", () => {
  assert.equal(mergeApp(app, { syslogUrl: "udp://y:2" }, later).syslogUrl, "udp://y:2");
  assert.equal(mergeApp(app, { syslogUrl: "" }, later).syslogUrl, undefined);
  assert.equal(mergeApp(app, {}, later).syslogUrl, "tcp://x:1");
});

Deno.test("mergeApp() rejects with Fn's messages", async (t) => {
  await t.step("Could not update - name is immutable", () => {
    assertAPIError(
      () => mergeApp(app, { name: "other" }),
      409,
      "Could not update - name is immutable",
    );
  });
  await t.step("App ID in path does not match ID in body", () => {
    assertAPIError(
      () => checkAppPatchId("A1", { id: "A2" }),
      400,
      "App ID in path does not match ID in body",
    );
    checkAppPatchId("A1", { id: "A1" });
    checkAppPatchId("A1", { id: "" });
  });
  await t.step("annotation rules", () => {
    assertAPIError(
      () => mergeApp(app, { annotations: { "a b": 1 } }),
      400,
      "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
    );
  });
  await t.step("invalid syslog url", () => {
    assertAPIError(
      () => mergeApp(app, { syslogUrl: "::" }),
      400,
      'invalid syslog url: "::" parse "::": missing protocol scheme',
    );
  });
});
