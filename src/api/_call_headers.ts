/**
 * Header shaping of the call path (`api-v2.md` §8.2, §8.4, §8.5): what a trigger
 * function receives (`Fn-Http-H-*`, `Fn-Http-Method`, `Fn-Http-Request-Url`,
 * `Fn-Intent`) and how its answer is unwrapped again; what `/invoke` passes through.
 *
 * @module
 */

import { isHopByHop } from "../agent/hop_by_hop.ts";

const HTTP_HEADER_PREFIX = "fn-http-h-";
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's canonical header name: `x-foo-bar` → `X-Foo-Bar` (non-tokens unchanged). */
export function canonicalHeaderName(name: string): string {
  if (!TOKEN.test(name)) return name;
  return name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_, dash: string, ch: string) => dash + ch.toUpperCase(),
  );
}

/**
 * The headers a trigger function receives: every client header except the hop-by-hop
 * ones, `Host` (Go keeps it out of the header map) and `Content-Type` (kept as is) is
 * renamed `Fn-Http-H-<Canonical-Name>`; then `Fn-Http-Method`, `Fn-Http-Request-Url`
 * and `Fn-Intent: httprequest` are set.
 */
export function triggerRequestHeaders(req: Request): Headers {
  const out = new Headers();
  for (const [name, value] of req.headers) {
    if (name === "host" || isHopByHop(name, value)) continue;
    if (name === "content-type") out.append(name, value);
    else out.append(`Fn-Http-H-${canonicalHeaderName(name)}`, value);
  }
  out.set("Fn-Http-Method", req.method);
  out.set("Fn-Http-Request-Url", req.url);
  out.set("Fn-Intent", "httprequest");
  return out;
}

/** Status and headers a trigger answers with, unwrapped from the function's response. */
export interface TriggerResponseHead {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * Unwraps a trigger function's response: `Fn-Http-H-<X>` becomes `<X>`,
 * `Content-Type` is kept (`Fn-Http-H-Content-Type` wins over it), everything else is
 * dropped; the status is `Fn-Http-Status` when it is a whole number a response can
 * carry (200–599), else 200.
 */
export function triggerResponseHead(fnHeaders: Headers): TriggerResponseHead {
  const out = new Headers();
  for (const [name, value] of fnHeaders) {
    if (name.startsWith(HTTP_HEADER_PREFIX) && name.length > HTTP_HEADER_PREFIX.length) {
      const unprefixed = name.slice(HTTP_HEADER_PREFIX.length);
      if (isHopByHop(unprefixed, value)) continue;
      out.append(unprefixed, value);
    }
  }
  const contentType = fnHeaders.get("content-type");
  if (contentType !== null && !out.has("content-type")) out.set("content-type", contentType);
  // The body is streamed; a length the function computed for itself may not hold.
  out.delete("content-length");
  return { status: triggerStatus(fnHeaders.get("fn-http-status")), headers: out };
}

function triggerStatus(value: string | null): number {
  if (value === null || !/^\d{1,3}$/.test(value.trim())) return 200;
  return sendableStatus(Number(value.trim()));
}

/** `status` when a response can carry it (200–599), else 200. */
function sendableStatus(status: number): number {
  // Deno cannot send 1xx responses; Fn's Go server would panic on some of them.
  return Number.isInteger(status) && status >= 200 && status <= 599 ? status : 200;
}

/**
 * The answer of a function in a stdin/stdout format (`http`, `json`, `default`): those
 * formats carry status and headers directly, so they go to the client as they are
 * (less hop-by-hop headers and `Content-Length`).
 */
export function plainResponseHead(status: number, fnHeaders: Headers): TriggerResponseHead {
  return { status: sendableStatus(status), headers: invokeResponseHeaders(fnHeaders) };
}

/**
 * The headers an `/invoke` function receives: the client's, as they are, except `Host`
 * (Go keeps it out of the header map; the function sees its own socket's host) and the
 * hop-by-hop ones.
 */
export function invokeRequestHeaders(req: Request): Headers {
  const out = new Headers();
  for (const [name, value] of req.headers) {
    if (name !== "host" && !isHopByHop(name, value)) out.append(name, value);
  }
  return out;
}

/**
 * What `/invoke` answers with: the function's headers verbatim (`Fn-Http-Status` and
 * `Fn-Http-H-*` are not interpreted), less hop-by-hop headers and `Content-Length`
 * (the body is streamed).
 */
export function invokeResponseHeaders(fnHeaders: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of fnHeaders) {
    if (name === "content-length" || isHopByHop(name, value)) continue;
    out.append(name, value);
  }
  return out;
}
