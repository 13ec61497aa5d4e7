/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy ones Go's proxy strips): they
 * describe one connection, so they never travel between the client and a function.
 *
 * @module
 */

/** Names of the hop-by-hop headers, lower-case. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Whether `name` (any case) with `value` is hop-by-hop; `Te: trailers` is kept, as Go does. */
export function isHopByHop(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower === "te") return value.trim() !== "trailers";
  return HOP_BY_HOP_HEADERS.has(lower);
}

/**
 * `headers` without the hop-by-hop ones: `headers` itself when it has none (the usual
 * case, checked without the sorted copy that iterating `Headers` makes), else a copy.
 */
export function stripHopByHop(headers: Headers): Headers {
  if (!hasHopByHop(headers)) return headers;
  const out = new Headers();
  for (const [name, value] of headers) {
    if (!isHopByHop(name, value)) out.append(name, value);
  }
  return out;
}

function hasHopByHop(headers: Headers): boolean {
  for (const name of HOP_BY_HOP_HEADERS) {
    if (headers.has(name)) return true;
  }
  return false;
}
