/**
 * Where an app's `syslog_url` points: `tcp://host[:port]`, `udp://host[:port]`,
 * `tcp+tls://host[:port]` (also `tls://`), `unix:///path` or `unixgram:///path`, the
 * schemes Fn accepts (`api-v2.md` §4.3). The port defaults to 514 (6514 with TLS).
 *
 * @module
 */

/** How messages travel. */
export type SyslogTransport = "tcp" | "udp" | "tls" | "unix" | "unixgram";

/** A parsed syslog destination. */
export type SyslogTarget =
  | {
    readonly transport: "tcp" | "udp" | "tls";
    readonly hostname: string;
    readonly port: number;
  }
  | { readonly transport: "unix"; readonly path: string }
  | { readonly transport: "unixgram"; readonly path: string };

/** A syslog URL fnd cannot send to. */
export class SyslogUrlError extends Error {
  constructor(url: string, reason: string) {
    super(`invalid syslog url ${JSON.stringify(url)}: ${reason}`);
    this.name = "SyslogUrlError";
  }
}

const SCHEMES: Readonly<Record<string, SyslogTransport>> = {
  "tcp:": "tcp",
  "udp:": "udp",
  "tcp+tls:": "tls",
  "tls:": "tls",
  "unix:": "unix",
  "unixgram:": "unixgram",
};

/**
 * Parses `raw` (surrounding spaces ignored).
 *
 * @throws {SyslogUrlError} for an unknown scheme, a missing host or path, or a bad port
 */
export function parseSyslogUrl(raw: string): SyslogTarget {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SyslogUrlError(raw, "expected scheme://host:port, e.g. tcp://logs.example.com:514");
  }
  const transport = SCHEMES[url.protocol];
  if (transport === undefined) {
    throw new SyslogUrlError(raw, "use one of tcp, udp, tcp+tls, unix or unixgram");
  }
  if (transport === "unix" || transport === "unixgram") {
    const path = decodeURIComponent(url.pathname);
    if (path === "" || path === "/") throw new SyslogUrlError(raw, "the socket path is missing");
    return { transport, path };
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (hostname === "") throw new SyslogUrlError(raw, "the host is missing");
  const port = url.port === "" ? (transport === "tls" ? 6514 : 514) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SyslogUrlError(raw, "the port must be 1-65535");
  }
  return { transport, hostname, port };
}
