/**
 * Without a syslog URL, a function's output lands on the server log (at debug), and
 * every server log line about a call carries its app, fn and call ids, in JSON and in
 * text format.
 */
import assert from "node:assert/strict";
import { startCallNode } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";
import { logLine } from "./_log_wait.ts";

Deno.test("log lines of a call carry app_id, fn_id and call_id", async (t) => {
  const images = await ensureTestImages();
  for (const format of ["json", "text"] as const) {
    await t.step(`FN_LOG_FORMAT=${format}`, async () => {
      await using node = await startCallNode({ FN_LOG_LEVEL: "debug", FN_LOG_FORMAT: format });
      const { appId, fnId } = await node.deploy({ image: images.logger });
      const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "one\ntwo" });
      assert.equal(await res.text(), "logged 2");
      const callId = res.headers.get("fn-call-id")!;
      const lastLine = format === "json"
        ? new RegExp(`"msg":"err: two".*"call_id":"${callId}"`)
        : new RegExp(`err: two .*call_id=${callId}`);
      await logLine(node.fnd, lastLine);
      await logLine(node.fnd, new RegExp(`call finished.*${callId}`));
      const lines = node.fnd.stderr().split("\n").filter((l) => l.includes(callId));
      const fields = lines.map((l) => format === "json" ? JSON.parse(l) : textFields(l));
      const user = fields.filter((f) => String(f.user_log) === "true");
      assert.deepEqual(user.map((f) => f.msg).sort(), [
        "err: one",
        "err: two",
        "out: one",
        "out: two",
      ]);
      for (const f of fields) {
        assert.deepEqual([f.app_id, f.fn_id, f.call_id], [appId, fnId, callId], JSON.stringify(f));
      }
    });
  }
});

/** `time LEVEL msg k=v k="v v"` → fields (msg = the words before the first key). */
function textFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const rest = line.replace(/^\S+ \S+\s+/, "");
  const firstKey = rest.search(/ [a-z_]+=/);
  out.msg = firstKey < 0 ? rest : rest.slice(0, firstKey);
  for (const m of rest.slice(firstKey).matchAll(/ ([a-z_]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]!] = m[2]!.startsWith('"') ? JSON.parse(m[2]!) : m[2]!;
  }
  return out;
}
