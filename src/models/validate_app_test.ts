import assert from "node:assert/strict";
import { assertAPIError } from "./_assert_api_error.ts";
import { type AppFields, newApp } from "./validate_app.ts";

const now = new Date("2026-01-02T03:04:05.678Z");

Deno.test("newApp() builds an app with a fresh id and equal timestamps", () => {
  const app = newApp({
    name: "app1",
    config: { A: "b", E: "" },
    annotations: { k: { x: 1 } },
    syslogUrl: "tcp://x:1",
    shape: "GENERIC_ARM",
  }, now);
  assert.match(app.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(app.name, "app1");
  assert.deepEqual(app.config, { A: "b", E: "" });
  assert.deepEqual(app.annotations, { k: { x: 1 } });
  assert.equal(app.syslogUrl, "tcp://x:1");
  assert.equal(app.shape, "GENERIC_ARM");
  assert.equal(app.createdAt, now);
  assert.equal(app.updatedAt, now);
});

Deno.test("newApp() leaves empty syslog_url and shape unset", () => {
  const app = newApp({ name: "a", syslogUrl: "", shape: "" }, now);
  assert.equal(app.syslogUrl, undefined);
  assert.equal(app.shape, undefined);
});

Deno.test("newApp() checks in Fn's order, first failure wins", async (t) => {
  const cases: [AppFields, string][] = [
    [{ id: "x", name: "" }, "App ID cannot be supplied on create"],
    [{ annotations: { "a b": 1 } }, "Missing Name"],
    [{ name: "a!", annotations: { "a b": 1 } }, "Invalid app name"],
    [
      { name: "a", annotations: { k: "" }, syslogUrl: "yo" },
      "Invalid annotation value, annotation values may only be non-empty strings, numbers, objects, or arrays",
    ],
    [
      { name: "a", syslogUrl: "yo", shape: "bad" },
      'invalid syslog url: "yo" invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported',
    ],
    [{ name: "a", shape: "GENERIC_MIPS" }, "Invalid app shape"],
  ];
  for (const [fields, message] of cases) {
    await t.step(message, () => assertAPIError(() => newApp(fields, now), 400, message));
  }
});
