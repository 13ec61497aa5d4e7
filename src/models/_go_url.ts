/**
 * The parts of Go's `net/url.Parse` whose errors reach clients: Fn validates
 * `syslog_url` with it and quotes the parser's error text verbatim (`api-v2.md` §4.3).
 * Only the scheme is kept from a successful parse.
 *
 * @module
 */

import { goQuote } from "./_go_quote.ts";

/** A `net/url` parse failure, with Go's `parse "<url>": <reason>` text. */
export class GoUrlError extends Error {
  constructor(url: string, reason: string) {
    super(`parse ${goQuote(url)}: ${reason}`);
    this.name = "GoUrlError";
  }
}

type Mode = "host" | "path" | "fragment" | "userinfo";

/**
 * Parses `raw` as Go's `url.Parse` would and returns the lower-cased scheme.
 *
 * @throws {GoUrlError} with Go's message when Go would fail
 */
export function goUrlScheme(raw: string): string {
  const hash = raw.indexOf("#");
  const base = hash < 0 ? raw : raw.slice(0, hash);
  const scheme = parseBase(base);
  if (hash >= 0) {
    const reason = unescapeError(raw.slice(hash + 1), "fragment");
    if (reason !== undefined) throw new GoUrlError(raw, reason);
  }
  return scheme;
}

function parseBase(url: string): string {
  const fail = (reason: string): never => {
    throw new GoUrlError(url, reason);
  };
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(url)) fail("net/url: invalid control character in URL");
  if (url === "*") return "";
  const { scheme, rest: afterScheme, error } = splitScheme(url);
  if (error !== undefined) fail(error);
  let rest = afterScheme;
  if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
  else if (rest.includes("?")) rest = rest.slice(0, rest.indexOf("?"));
  if (!rest.startsWith("/")) {
    if (scheme !== "") return scheme; // opaque, e.g. mailto:x
    const segment = rest.split("/")[0] ?? "";
    if (segment.includes(":")) fail("first path segment in URL cannot contain colon");
  }
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    const slash = authority.indexOf("/");
    rest = slash < 0 ? "" : authority.slice(slash);
    if (slash >= 0) authority = authority.slice(0, slash);
    const reason = authorityError(authority);
    if (reason !== undefined) fail(reason);
  }
  const reason = unescapeError(rest, "path");
  if (reason !== undefined) fail(reason);
  return scheme;
}

function splitScheme(url: string): { scheme: string; rest: string; error?: string } {
  for (let i = 0; i < url.length; i++) {
    const c = url[i] ?? "";
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: "", rest: url };
      continue;
    }
    if (c === ":") {
      if (i === 0) return { scheme: "", rest: "", error: "missing protocol scheme" };
      return { scheme: url.slice(0, i).toLowerCase(), rest: url.slice(i + 1) };
    }
    return { scheme: "", rest: url };
  }
  return { scheme: "", rest: url };
}

function authorityError(authority: string): string | undefined {
  const at = authority.lastIndexOf("@");
  const reason = hostError(at < 0 ? authority : authority.slice(at + 1));
  if (reason !== undefined || at < 0) return reason;
  const userinfo = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return "net/url: invalid userinfo";
  return unescapeError(userinfo, "userinfo");
}

function validOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

function hostError(host: string): string | undefined {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) return "missing ']' in host";
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return `invalid port ${goQuote(colonPort)} after host`;
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) {
      return `invalid port ${goQuote(host.slice(colon))} after host`;
    }
  }
  return unescapeError(host, "host");
}

// Characters Go lets through unescaped in a host (besides letters and digits).
const HOST_OK = new Set("-_.~!$&'()*+,;=:[]<>\"");

function unescapeError(s: string, mode: Mode): string | undefined {
  for (let i = 0; i < s.length;) {
    const c = s[i] ?? "";
    if (c === "%") {
      const escape = s.slice(i, i + 3);
      if (!/^%[0-9a-fA-F]{2}$/.test(escape)) return `invalid URL escape ${goQuote(escape)}`;
      if (mode === "host" && parseInt(escape[1] ?? "0", 16) < 8 && escape !== "%25") {
        return `invalid URL escape ${goQuote(escape)}`;
      }
      i += 3;
      continue;
    }
    if (mode === "host" && c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(c) && !HOST_OK.has(c)) {
      return `invalid character ${goQuote(c)} in host name`;
    }
    i++;
  }
  return undefined;
}
