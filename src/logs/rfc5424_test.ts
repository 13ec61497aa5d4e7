import assert from "node:assert/strict";
import {
  datagram,
  escapeParamValue,
  formatSyslogMessage,
  MAX_DATAGRAM_BYTES,
  octetCountingFrame,
} from "./rfc5424.ts";

const base = {
  severity: 6,
  timestamp: new Date("2026-11-22T12:45:17.255Z"),
  hostname: "host1",
  appName: "myapp",
  msgId: "stdout",
  params: [["app_id", "A1"], ["call_id", "C1"]] as [string, string][],
  text: "hello world",
};

Deno.test("formatSyslogMessage() writes RFC 5424 with fnd's structured data", () => {
  assert.equal(
    formatSyslogMessage(base),
    '<14>1 2026-11-22T12:45:17.255Z host1 myapp - stdout [fnd@32473 app_id="A1" call_id="C1"] hello world',
  );
});

Deno.test("formatSyslogMessage() uses nil values and cleans header fields", () => {
  assert.equal(
    formatSyslogMessage({
      ...base,
      severity: 3,
      hostname: "",
      appName: "my app",
      params: [],
      text: "",
    }),
    "<11>1 2026-11-22T12:45:17.255Z - my_app - stdout -",
  );
  const long = formatSyslogMessage({ ...base, appName: "x".repeat(60) });
  assert.ok(long.includes(` ${"x".repeat(48)} - stdout`));
});

Deno.test("escapeParamValue() escapes quote, backslash and closing bracket", () => {
  assert.equal(escapeParamValue('a"b\\c]d'), 'a\\"b\\\\c\\]d');
});

Deno.test("octetCountingFrame() prefixes the byte length, not the character count", () => {
  assert.deepEqual(new TextDecoder().decode(octetCountingFrame("héllo")), "6 héllo");
});

Deno.test("datagram() cuts messages to the largest UDP payload", () => {
  assert.equal(datagram("x".repeat(MAX_DATAGRAM_BYTES + 10)).length, MAX_DATAGRAM_BYTES);
  assert.equal(datagram("short").length, 5);
});
