import assert from "node:assert/strict";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import {
  appToRow,
  decodeMap,
  encodeMap,
  fnToRow,
  parseTimestamp,
  rowToApp,
  rowToFn,
  rowToTrigger,
  sourceHash,
  triggerToRow,
} from "./row_mapping.ts";

const t0 = new Date("2026-11-22T12:45:17.044Z");

Deno.test("encodeMap() writes Go's encoding: sorted keys, trailing newline, '' when empty", () => {
  assert.equal(encodeMap({}), "");
  assert.equal(encodeMap({ b: "2", a: "1", "": "e" }), '{"":"e","a":"1","b":"2"}\n');
  assert.equal(encodeMap({ k: { z: 1, a: [true] } }), '{"k":{"z":1,"a":[true]}}\n');
});

Deno.test("decodeMap() and encodeMap() keep stored numbers exactly as written", () => {
  const text = '{"e":1e400,"k":12345678901234567890,"o":{"x":[1.0,-0]},"s":"1e400"}\n';
  const map = decodeMap(text, "annotations of app A");
  assert.equal(encodeMap(map), text);
  assert.equal(map.s, "1e400");
});

Deno.test("decodeMap() reads '' and NULL as {} and names a corrupt row", () => {
  assert.deepEqual(decodeMap("", "x"), {});
  assert.deepEqual(decodeMap(null, "x"), {});
  assert.deepEqual(decodeMap("null\n", "x"), {});
  assert.deepEqual(decodeMap('{"a":"1"}\n', "x"), { a: "1" });
  assert.throws(
    () => decodeMap("{", "config of app A"),
    /stored config of app A is not valid JSON/,
  );
  assert.throws(() => decodeMap("[1]", "config of app A"), /config of app A is not a JSON object/);
});

Deno.test("parseTimestamp() reads Fn's local offsets and names a corrupt row", () => {
  assert.deepEqual(parseTimestamp("2026-11-22T14:45:17.044+02:00", "x"), t0);
  assert.deepEqual(parseTimestamp("2026-11-22T12:45:17.044Z", "x"), t0);
  assert.deepEqual(parseTimestamp(null, "x"), new Date(0));
  assert.throws(() => parseTimestamp("yesterday", "created_at of fn F"), /created_at of fn F/);
});

Deno.test("sourceHash() is the hex SHA-256 of the UTF-8 source", () => {
  assert.equal(
    sourceHash(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.match(sourceHash("/é"), /^[0-9a-f]{64}$/);
  assert.notEqual(sourceHash("/a"), sourceHash("/a "));
});

Deno.test("appToRow() and rowToApp() round-trip; unset fields are NULL and ''", () => {
  const app: App = {
    id: "A",
    name: "a",
    config: {},
    annotations: {},
    createdAt: t0,
    updatedAt: t0,
  };
  const row = appToRow(app);
  assert.deepEqual(row, {
    id: "A",
    name: "a",
    config: "",
    annotations: "",
    syslog_url: null,
    created_at: "2026-11-22T12:45:17.044Z",
    updated_at: "2026-11-22T12:45:17.044Z",
    shape: "",
  });
  assert.deepEqual(rowToApp(row), app);
  const full: App = { ...app, syslogUrl: "tcp://x:1", shape: "GENERIC_X86", config: { a: "" } };
  assert.deepEqual(rowToApp(appToRow(full)), full);
  assert.deepEqual(rowToApp({ ...row, shape: null }), app);
});

Deno.test("fnToRow() and rowToFn() round-trip", () => {
  const fn: Fn = {
    id: "F",
    name: "f",
    appId: "A",
    image: "i:1",
    memoryMb: 256,
    timeoutSeconds: 60,
    idleTimeoutSeconds: 120,
    config: { K: "v" },
    annotations: { n: 1 },
    createdAt: t0,
    updatedAt: t0,
  };
  const row = fnToRow(fn);
  assert.deepEqual([row.memory, row.timeout, row.idle_timeout, row.shape], [256, 60, 120, ""]);
  assert.deepEqual(rowToFn(row), fn);
  assert.deepEqual(rowToFn(fnToRow({ ...fn, shape: "GENERIC_ARM" })).shape, "GENERIC_ARM");
});

Deno.test("triggerToRow() and rowToTrigger() round-trip, with the source hash", () => {
  const trigger: Trigger = {
    id: "T",
    name: "t",
    appId: "A",
    fnId: "F",
    type: "http",
    source: "/hook",
    annotations: {},
    createdAt: t0,
    updatedAt: t0,
  };
  const row = triggerToRow(trigger);
  assert.equal(row.source_hash, sourceHash("/hook"));
  assert.deepEqual(rowToTrigger(row), trigger);
});
