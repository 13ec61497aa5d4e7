/**
 * Golden bytes: fnd's messages serialized by the real Engage/Status2 serializers must
 * equal what Fn's Go peers put on the wire. Every expected byte string below is
 * written out by hand from the proto3 encoding rules and `lb-runner.md` §0.2, not
 * produced by fnd's own proto.
 */

import assert from "node:assert/strict";
import type { ClientMsg, RunnerMsg, RunnerStatus } from "./runner_messages.ts";
import { runnerProtocol } from "./runner_proto.ts";
import {
  EOF_FRAME,
  finishedMessage,
  requestFrame,
  responseFrame,
  resultStartMessage,
  statusMessage,
  tryCallMessage,
  withoutDefaults,
} from "./wire_messages.ts";

const engage = runnerProtocol().service["Engage"]!;
const status2 = runnerProtocol().service["Status2"]!;
const request = (m: ClientMsg) => [...engage.requestSerialize(m)];
const response = (m: RunnerMsg) => [...engage.responseSerialize(m)];
const ascii = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("EOF_FRAME encodes as Go's 12 02 10 01 (§0.2)", () => {
  assert.deepEqual(request(EOF_FRAME), [0x12, 0x02, 0x10, 0x01]);
});

Deno.test("an empty DataFrame with eof=false encodes as 12 00 (§0.2)", () => {
  assert.deepEqual(request({ data: withoutDefaults({ data: new Uint8Array(0), eof: false }) }), [
    0x12,
    0x00,
  ]);
});

Deno.test("withoutDefaults() keeps protobufjs from writing default-valued fields", () => {
  // What protobufjs makes of the object as written: `0a 00` for the empty bytes.
  const asWritten = { data: { data: new Uint8Array(0), eof: true } };
  assert.deepEqual(request(asWritten), [0x12, 0x04, 0x0a, 0x00, 0x10, 0x01]);
  assert.deepEqual(request({ data: withoutDefaults(asWritten.data) }), [0x12, 0x02, 0x10, 0x01]);
  assert.deepEqual(withoutDefaults({ a: "", b: 0, c: false, d: "x", e: 1, f: true }), {
    d: "x",
    e: 1,
    f: true,
  });
});

Deno.test("requestFrame() and responseFrame() leave eof=false off the wire", () => {
  assert.deepEqual(request(requestFrame(new Uint8Array([0x61, 0x62, 0x63]))), [
    0x12, // ClientMsg.data, length-delimited
    0x05,
    0x0a, // DataFrame.data
    0x03,
    0x61,
    0x62,
    0x63,
  ]);
  assert.deepEqual(response(responseFrame(new Uint8Array([1, 2]))), [
    0x12, // RunnerMsg.data
    0x04,
    0x0a,
    0x02,
    0x01,
    0x02,
  ]);
});

Deno.test('tryCallMessage() leaves slot_hash_id "" and empty extensions off the wire', () => {
  const json = ascii("{}");
  assert.deepEqual(
    request(tryCallMessage({ modelsCallJson: "{}", slotHashId: "", extensions: {} })),
    [0x0a, 0x04, 0x0a, 0x02, ...json],
  );
  assert.deepEqual(
    request(tryCallMessage({ modelsCallJson: "{}", slotHashId: "ab", extensions: { K: "v" } })),
    [
      0x0a, // ClientMsg.try
      0x10,
      0x0a, // models_call_json
      0x02,
      ...json,
      0x12, // slot_hash_id
      0x02,
      ...ascii("ab"),
      0x1a, // one extensions map entry {1: key, 2: value}
      0x06,
      0x0a,
      0x01,
      ...ascii("K"),
      0x12,
      0x01,
      ...ascii("v"),
    ],
  );
});

Deno.test("resultStartMessage() puts http in field 100 (tag a2 06)", () => {
  assert.deepEqual(response(resultStartMessage(200)), [
    0x0a, // RunnerMsg.result_start
    0x06,
    0xa2, // CallResultStart.http = field 100, length-delimited: varint 802
    0x06,
    0x03,
    0x08, // status_code 200
    0xc8,
    0x01,
  ]);
  assert.deepEqual(response(resultStartMessage(202)), [
    0x0a,
    0x06,
    0xa2,
    0x06,
    0x03,
    0x08,
    0xca,
    0x01,
  ]);
  assert.deepEqual(response(resultStartMessage(200, [["Content-Type", "x/y"], ["X-Empty", ""]])), [
    0x0a,
    0x26,
    0xa2,
    0x06,
    0x23,
    0x08,
    0xc8,
    0x01,
    0x12, // headers[0] {key, value}
    0x13,
    0x0a,
    0x0c,
    ...ascii("Content-Type"),
    0x12,
    0x03,
    ...ascii("x/y"),
    0x12, // headers[1]: an empty value is left off too
    0x09,
    0x0a,
    0x07,
    ...ascii("X-Empty"),
  ]);
});

Deno.test("finishedMessage() encodes a NACK without success=false (no 08 00)", () => {
  const text = "Timed out - server too busy";
  assert.deepEqual(
    response(finishedMessage({
      success: false,
      errorCode: 503,
      errorStr: text,
      errorUser: false,
      details: "",
      executionDuration: 0,
    })),
    [
      0x1a, // RunnerMsg.finished
      0x20,
      0x18, // errorCode 503
      0xf7,
      0x03,
      0x22, // errorStr
      0x1b,
      ...ascii(text),
    ],
  );
});

Deno.test("finishedMessage() encodes a success with its int64 duration", () => {
  assert.deepEqual(
    response(finishedMessage({ success: true, details: "01CALL", executionDuration: 3_000_000 })),
    [
      0x1a,
      0x0f,
      0x08, // success true
      0x01,
      0x12, // details
      0x06,
      ...ascii("01CALL"),
      0x48, // executionDuration (field 9) 3000000
      0xc0,
      0x8d,
      0xb7,
      0x01,
    ],
  );
});

Deno.test("statusMessage() leaves zero counters and false flags off the wire", () => {
  const status: RunnerStatus = {
    active: 0,
    failed: false,
    cached: false,
    errorStr: "",
    requestsReceived: 2,
    requestsHandled: 2,
  };
  assert.deepEqual([...status2.responseSerialize(statusMessage(status))], [
    0x60, // requestsReceived (field 12)
    0x02,
    0x68, // requestsHandled (field 13)
    0x02,
  ]);
});
