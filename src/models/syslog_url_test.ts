import { assertAPIError } from "./_assert_api_error.ts";
import { validateSyslogUrl } from "./syslog_url.ts";

const schemeMessage = (raw: string) =>
  `invalid syslog url: ${
    JSON.stringify(raw)
  } invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported`;

Deno.test("validateSyslogUrl() accepts Fn's schemes, trimmed and in any case", () => {
  for (
    const ok of [
      "tcp://x:1",
      "udp://logs.example.com:514",
      "unix:///dev/log",
      "unixgram:///dev/log",
      "tcp+tls://h:6514",
      " TCP://x:1 ",
      "tcp://[::1]:514",
      "tcp://user:pw@h:1/p?q#f",
    ]
  ) {
    validateSyslogUrl(ok);
  }
});

Deno.test("validateSyslogUrl() rejects with Go's messages", async (t) => {
  const cases: [string, string][] = [
    ["yo", schemeMessage("yo")],
    ["http://x", schemeMessage("http://x")],
    ["  ftp://x ", schemeMessage("  ftp://x ")],
    ["::", 'invalid syslog url: "::" parse "::": missing protocol scheme'],
    [
      "tcp://h:abc",
      'invalid syslog url: "tcp://h:abc" parse "tcp://h:abc": invalid port ":abc" after host',
    ],
    [
      "tcp://h h:1",
      'invalid syslog url: "tcp://h h:1" parse "tcp://h h:1": invalid character " " in host name',
    ],
    [
      "tcp://h/%zz",
      'invalid syslog url: "tcp://h/%zz" parse "tcp://h/%zz": invalid URL escape "%zz"',
    ],
    ["tcp://[::1", `invalid syslog url: "tcp://[::1" parse "tcp://[::1": missing ']' in host`],
    ["a:b/c:d", schemeMessage("a:b/c:d")],
    [
      "1a:b",
      'invalid syslog url: "1a:b" parse "1a:b": first path segment in URL cannot contain colon',
    ],
    [
      "tcp://h\x01",
      'invalid syslog url: "tcp://h\\x01" parse "tcp://h\\x01": net/url: invalid control character in URL',
    ],
  ];
  for (const [raw, message] of cases) {
    await t.step(message, () => assertAPIError(() => validateSyslogUrl(raw), 400, message));
  }
});
