import assert from "node:assert/strict";
import { Logger } from "../src/log.ts";
import { openSyslogSink } from "../src/logs/function_log_sink.ts";
import { SyslogPool } from "../src/logs/syslog_pool.ts";
import { SyslogWriter } from "../src/logs/syslog_writer.ts";
import { APIError } from "../src/models/api_error.ts";
import { listenSyslog, parseSyslog, testCertificates } from "./_syslog_listener.ts";

const quiet = new Logger({ level: 5, format: "text", sink: () => {} });

function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("SyslogWriter sends every message, in order, over each transport", async (t) => {
  const tls = await testCertificates();
  for (const transport of ["tcp", "udp", "tls", "unix"] as const) {
    await t.step(transport, async () => {
      await using receiver = await listenSyslog(transport, tls);
      const writer = await SyslogWriter.open(receiver.url, { log: quiet, caCerts: [tls.ca] });
      try {
        for (let i = 0; i < 200; i++) writer.send(`<14>1 - - - - - - line ${i}`);
        const got = await receiver.waitFor((m) => m.includes(" line "), 200);
        assert.deepEqual(
          got.map((m) => m.slice(m.lastIndexOf(" ") + 1)),
          [
            ...Array(200).keys(),
          ].map(String),
        );
        assert.equal(writer.sent, 200);
        assert.equal(writer.dropped, 0);
      } finally {
        await writer.close();
      }
    });
  }
});

Deno.test("SyslogWriter.open() fails at once when nothing listens", async () => {
  const url = `tcp://127.0.0.1:${closedPort()}`;
  await assert.rejects(SyslogWriter.open(url, { log: quiet }), /refused|connect/i);
});

Deno.test("SyslogWriter.open() rejects a TLS receiver whose certificate is not trusted", async () => {
  await using receiver = await listenSyslog("tls", await testCertificates());
  await assert.rejects(SyslogWriter.open(receiver.url, { log: quiet }));
});

Deno.test("SyslogWriter reconnects after the receiver drops the connection", async () => {
  const port = closedPort();
  const url = `tcp://127.0.0.1:${port}`;
  let listener = Deno.listen({ hostname: "127.0.0.1", port });
  const accepted = listener.accept();
  const writer = await SyslogWriter.open(url, { log: quiet });
  try {
    (await accepted).close();
    listener.close();
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    const second = listener.accept();
    // Writes into the dropped connection fail sooner or later; the writer then reconnects.
    let reconnected = false;
    second.then(() => (reconnected = true), () => {});
    for (let i = 0; i < 100 && !reconnected; i++) {
      writer.send(`<14>1 - - - - - - early ${i}`);
      await writer.flush();
    }
    writer.send("<14>1 - - - - - - after the reconnect");
    const conn = await second;
    const reader = conn.readable.getReader();
    let text = "";
    while (!text.includes("after the reconnect")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.match(text, /\d+ <14>1 - - - - - - after the reconnect/);
    reader.releaseLock();
    conn.close();
  } finally {
    listener.close();
    await writer.close();
  }
});

Deno.test("SyslogWriter drops what does not fit in its queue and counts it", async () => {
  await using receiver = await listenSyslog("tcp");
  const writer = await SyslogWriter.open(receiver.url, { log: quiet, maxQueueBytes: 1000 });
  await receiver.close(); // nothing will be delivered any more
  for (let i = 0; i < 100; i++) writer.send(`<14>1 - - - - - - message number ${i}`);
  assert.ok(writer.dropped > 50, `dropped ${writer.dropped}`);
  await writer.close();
  assert.equal(writer.dropped + writer.sent, 100);
});

Deno.test("openSyslogSink() answers 500 Syslog Unavailable when the receiver is down", async () => {
  const pool = new SyslogPool({ log: quiet });
  const spec = { appId: "A", appName: "app", fnId: "F", fnName: "fn" };
  const url = `tcp://127.0.0.1:${closedPort()}`;
  const err = await openSyslogSink({ ...spec, syslogUrl: url }, quiet, pool).catch((e) => e);
  assert.ok(err instanceof APIError);
  assert.equal(err.status, 500);
  assert.equal(err.message, "Syslog Unavailable");
  assert.equal(err.blame, "user");
  assert.equal(pool.size, 0);
  assert.equal(await openSyslogSink(spec, quiet, pool), undefined);
});

Deno.test("SyslogSink lines carry the ids, the stream as MSGID and its severity", async () => {
  await using receiver = await listenSyslog("tcp");
  const pool = new SyslogPool({ log: quiet });
  const spec = { appId: "A1", appName: "myapp", fnId: "F1", fnName: "myfn" };
  const sink = await openSyslogSink({ ...spec, syslogUrl: receiver.url }, quiet, pool);
  assert.ok(sink);
  const second = await openSyslogSink({ ...spec, syslogUrl: receiver.url }, quiet, pool);
  assert.equal(pool.size, 1, "one shared writer per URL");
  sink.line("to stdout", "stdout", "C1");
  sink.line('to "stderr"]', "stderr", undefined);
  const [out, err] = (await receiver.waitFor(() => true, 2)).map(parseSyslog);
  assert.deepEqual(
    [out?.pri, out?.appName, out?.msgId, out?.params, out?.text],
    [14, "myapp", "stdout", {
      "app_id": "A1",
      "app_name": "myapp",
      "fn_id": "F1",
      "fn_name": "myfn",
      "call_id": "C1",
    }, "to stdout"],
  );
  assert.deepEqual([err?.pri, err?.msgId, err?.params.call_id, err?.text], [
    11,
    "stderr",
    undefined,
    'to "stderr"]',
  ]);
  await sink[Symbol.asyncDispose]();
  assert.equal(pool.size, 1);
  await second?.[Symbol.asyncDispose]();
  assert.equal(pool.size, 0);
});
