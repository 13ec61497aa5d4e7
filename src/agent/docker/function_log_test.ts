import assert from "node:assert/strict";
import { Logger } from "../../log.ts";
import { FunctionLog, truncationMarker } from "./function_log.ts";

function capture(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger({ level: 0, format: "json", sink: (l) => lines.push(JSON.parse(l)) });
  return { logger, lines };
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("FunctionLog logs whole lines at debug with the current call id", () => {
  const { logger, lines } = capture();
  const log = new FunctionLog(logger, { maxLogBytes: 1000, enabled: true });
  log.write("stdout", enc("idle line\n"));
  log.beginCall("C1");
  log.write("stderr", enc("par"));
  log.write("stderr", enc("tial\nnext"));
  log.endCall();
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.stream, l.call_id]), [
    ["debug", "idle line", "stdout", undefined],
    ["debug", "partial", "stderr", "C1"],
    ["debug", "next", "stderr", "C1"],
  ]);
  assert.equal(lines[1]?.user_log, true);
});

Deno.test("FunctionLog caps each call's output with Fn's marker", () => {
  const { logger, lines } = capture();
  const log = new FunctionLog(logger, { maxLogBytes: 10, enabled: true });
  log.beginCall("C1");
  log.write("stdout", enc("12345\n67890\nabc\n"));
  log.endCall();
  log.beginCall("C2");
  log.write("stdout", enc("fresh\n"));
  assert.deepEqual(lines.map((l) => l.msg), ["12345", truncationMarker(10).trim(), "fresh"]);
});

Deno.test("FunctionLog logs nothing when user logs are disabled", () => {
  const { logger, lines } = capture();
  const log = new FunctionLog(logger, { maxLogBytes: 1000, enabled: false });
  log.write("stdout", enc("x\n"));
  assert.equal(lines.length, 0);
});
