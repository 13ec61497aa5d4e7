/**
 * Header helpers shared by the container protocols.
 *
 * @module
 */

const HOP_BY_HOP = new Set([
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

/** Whether `name` is hop-by-hop (`Te: trailers` is the one kept value). */
export function isHopByHop(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower === "te") return value.trim().toLowerCase() !== "trailers";
  return HOP_BY_HOP.has(lower);
}

/** Canonical forms already computed: calls repeat the same few header names. */
const canonicalCache = new Map<string, string>();
/** Bound on the cache, so arbitrary client header names cannot grow it without end. */
const CANONICAL_CACHE_MAX = 1024;

/** `x-foo_bar` → `X-Foo-Bar`... Go's canonical form (only `-` separates words). */
export function canonicalName(name: string): string {
  const cached = canonicalCache.get(name);
  if (cached !== undefined) return cached;
  const canonical = name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_m, sep: string, c: string) => sep + c.toUpperCase(),
  );
  if (canonicalCache.size >= CANONICAL_CACHE_MAX) canonicalCache.clear();
  canonicalCache.set(name, canonical);
  return canonical;
}

/** RFC 3339 with seconds precision in UTC, like Go's `time.RFC3339` with TZ=UTC. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Copies `headers` without hop-by-hop entries and without the names in `drop` (lower case). */
export function forwardableHeaders(headers: Headers, drop: readonly string[] = []): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (isHopByHop(name, value) || drop.includes(name)) continue;
    out.append(name, value);
  }
  return out;
}

/** Node's `rawHeaders` ([name, value, ...]) as `Headers`, hop-by-hop removed. */
export function headersFromRaw(raw: readonly string[]): Headers {
  const out = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (isHopByHop(name, value)) continue;
    try {
      out.append(name, value);
    } catch {
      // a header Headers cannot hold (invalid bytes): drop it rather than fail the call
    }
  }
  return out;
}
