/**
 * Go's canonical MIME header keys (`content-type` → `Content-Type`), which Fn's Go
 * peers send and expect in `models_call_json` headers and `HttpHeader.key`.
 *
 * @module
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `content-type` → `Content-Type`; keys with non-token characters are returned as is. */
export function canonicalHeaderKey(key: string): string {
  if (!TOKEN.test(key)) return key;
  let upper = true;
  let out = "";
  for (const ch of key) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === "-";
  }
  return out;
}

/**
 * The header values of `headers` as separate entries with canonical keys, sorted by
 * key. `Set-Cookie` keeps its separate values; other repeated headers arrive already
 * joined by `Headers` and stay joined.
 */
export function headerEntries(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of headers) {
    if (key === "set-cookie") continue;
    out.push([canonicalHeaderKey(key), value]);
  }
  for (const cookie of headers.getSetCookie()) out.push(["Set-Cookie", cookie]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
