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

/** A copy of `headers` without the hop-by-hop ones. */
export function stripHopByHop(headers: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (!isHopByHop(name, value)) out.append(name, value);
  }
  return out;
}
