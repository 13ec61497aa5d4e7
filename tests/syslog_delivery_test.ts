/**
 * Function output reaches the app's syslog_url through real calls on a real full node:
 * RFC 5424 over TCP (octet counting) and UDP, every line with the app, fn and call ids,
 * capped per call by FN_MAX_LOG_SIZE_BYTES with Fn's marker; an unreachable receiver
 * fails the call with 500 Syslog Unavailable.
 */
import assert from "node:assert/strict";
import { type CallNode, startCallNode } from "./_call_node.ts";
import { ensureTestImages } from "./_images.ts";
import { listenSyslog, parseSyslog } from "./_syslog_listener.ts";

const MAX_LOG = 200;

async function deployWithSyslog(
  node: CallNode,
  image: string,
  syslogUrl: string,
): Promise<{ appId: string; fnId: string }> {
  const name = `sl${crypto.randomUUID().slice(0, 8)}`;
  const app = await node.api.post("/v2/apps", { name, syslog_url: syslogUrl });
  assert.equal(app.status, 200, app.text);
  return await node.deploy({ image, app: name });
}

async function invoke(node: CallNode, fnId: string, body: string) {
  const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body });
  return { status: res.status, text: await res.text(), callId: res.headers.get("fn-call-id") };
}

Deno.test("function logs go to the app's syslog_url", async (t) => {
  const images = await ensureTestImages();
  await using tcp = await listenSyslog("tcp");
  await using udp = await listenSyslog("udp");
  await using node = await startCallNode({ FN_MAX_LOG_SIZE_BYTES: String(MAX_LOG) });

  for (const receiver of [tcp, udp]) {
    const transport = receiver.url.slice(0, 3);
    await t.step(`over ${transport}, each line with the call's ids`, async () => {
      const { appId, fnId } = await deployWithSyslog(node, images.logger, receiver.url);
      const res = await invoke(node, fnId, "first\nsecond");
      assert.deepEqual([res.status, res.text], [200, "logged 2"]);
      const got = await receiver.waitFor((m) => m.includes(`call_id="${res.callId}"`), 4);
      const lines = got.map(parseSyslog).map((m) => {
        assert.deepEqual([m.params.app_id, m.params.fn_id], [appId, fnId]);
        return `${m.pri} ${m.msgId} ${m.text}`;
      });
      assert.deepEqual(lines.sort(), [
        "11 stderr err: first",
        "11 stderr err: second",
        "14 stdout out: first",
        "14 stdout out: second",
      ]);
    });
  }

  await t.step("capped per call with Fn's truncation marker", async () => {
    const { fnId } = await deployWithSyslog(node, images.logger, tcp.url);
    const body = Array.from({ length: 30 }, (_, i) => `line-${String(i).padStart(4, "0")}`)
      .join("\n");
    const marker = `-----max log size ${MAX_LOG} bytes exceeded, truncating log-----`;
    const res = await invoke(node, fnId, body);
    assert.equal(res.status, 200);
    const ofCall = (m: string) => m.includes(`call_id="${res.callId}"`);
    await tcp.waitFor((m) => ofCall(m) && m.endsWith(marker));
    // A second call starts with a fresh budget.
    const next = await invoke(node, fnId, "again");
    await tcp.waitFor((m) => m.includes(`call_id="${next.callId}"`), 2);
    const texts = tcp.messages.filter(ofCall).map((m) => parseSyslog(m).text);
    assert.equal(texts.filter((x) => x === marker).length, 1);
    const bytes = texts.filter((x) => x !== marker).reduce((n, x) => n + x.length + 1, 0);
    assert.ok(bytes <= MAX_LOG && bytes > MAX_LOG - 20, `logged ${bytes} bytes before the cut`);
  });

  await t.step("an unreachable receiver fails the call with 500 Syslog Unavailable", async () => {
    const gone = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (gone.addr as Deno.NetAddr).port;
    gone.close();
    const { fnId } = await deployWithSyslog(node, images.logger, `tcp://127.0.0.1:${port}`);
    const res = await invoke(node, fnId, "x");
    assert.deepEqual([res.status, JSON.parse(res.text)], [500, { message: "Syslog Unavailable" }]);
  });
});
