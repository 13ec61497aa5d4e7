import assert from "node:assert/strict";
import { parseSyslogUrl, SyslogUrlError } from "./syslog_url.ts";

Deno.test("parseSyslogUrl() reads every scheme Fn accepts", async (t) => {
  const cases: [string, unknown][] = [
    ["tcp://logs:1514", { transport: "tcp", hostname: "logs", port: 1514 }],
    [" udp://10.0.0.1 ", { transport: "udp", hostname: "10.0.0.1", port: 514 }],
    ["tcp+tls://logs", { transport: "tls", hostname: "logs", port: 6514 }],
    ["tls://logs:7000", { transport: "tls", hostname: "logs", port: 7000 }],
    ["tcp://[::1]:514", { transport: "tcp", hostname: "::1", port: 514 }],
    ["unix:///dev/log", { transport: "unix", path: "/dev/log" }],
    ["unixgram:///run/log", { transport: "unixgram", path: "/run/log" }],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => assert.deepEqual(parseSyslogUrl(url), want));
  }
});

Deno.test("parseSyslogUrl() explains what is wrong", async (t) => {
  const cases: [string, RegExp][] = [
    ["yo", /expected scheme:\/\/host:port/],
    ["http://logs:514", /use one of tcp, udp, tcp\+tls, unix or unixgram/],
    ["tcp://logs:0", /port must be 1-65535/],
    ["unix://", /socket path is missing/],
  ];
  for (const [url, message] of cases) {
    await t.step(url, () => {
      assert.throws(
        () => parseSyslogUrl(url),
        (e: unknown) => e instanceof SyslogUrlError && message.test(e.message),
      );
    });
  }
});
