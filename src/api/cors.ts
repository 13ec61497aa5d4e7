/**
 * CORS (`api-v2.md` §1.7), on every route when `FN_API_CORS_ORIGINS` is set: requests
 * without `Origin` pass untouched, a disallowed origin gets 403, `OPTIONS` with an
 * allowed origin is a preflight answered 200 here, other requests get
 * `Access-Control-Allow-Origin` added.
 *
 * @module
 */

/** CORS settings from the server config. */
export interface CorsOptions {
  /** Allowed origins; empty = CORS off; a first entry `*` allows all. */
  readonly origins: readonly string[];
  /** Allowed request headers. */
  readonly headers: readonly string[];
}

const METHODS = "GET,POST,PUT,HEAD,DELETE";
const MAX_AGE_SECONDS = "43200";
/** The Vary values of every preflight answer (§1.7), whatever the allowed origins. */
const PREFLIGHT_VARY = [
  "Origin",
  "Access-Control-Request-Method",
  "Access-Control-Request-Headers",
];

/**
 * Wraps `next` with the CORS policy; with no origins configured it returns `next`.
 * `context` is passed through to `next` untouched.
 */
export function withCors<C = void>(
  options: CorsOptions,
  next: (req: Request, context: C) => Promise<Response>,
): (req: Request, context: C) => Promise<Response> {
  if (options.origins.length === 0) return next;
  const allowAll = options.origins[0] === "*";
  const allowed = new Set(options.origins);
  return async (req, context) => {
    const origin = req.headers.get("origin");
    if (origin === null || origin === "") return await next(req, context);
    if (!allowAll && !allowed.has(origin)) return new Response(null, { status: 403 });
    if (req.method === "OPTIONS") {
      const headers = new Headers({
        "access-control-allow-methods": METHODS,
        "access-control-allow-headers": options.headers.join(","),
        "access-control-max-age": MAX_AGE_SECONDS,
        "access-control-allow-origin": allowAll ? "*" : origin,
      });
      // Also with `*`: a cache keyed without them could serve one preflight to another.
      for (const v of PREFLIGHT_VARY) headers.append("vary", v);
      return new Response(null, { status: 200, headers });
    }
    const res = await next(req, context);
    return addHeaders(
      res,
      allowAll ? { "access-control-allow-origin": "*" } : {
        "access-control-allow-origin": origin,
        vary: "Origin",
      },
    );
  };
}

function addHeaders(res: Response, extra: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(extra)) {
      if (k === "vary") res.headers.append(k, v);
      else res.headers.set(k, v);
    }
    return res;
  } catch {
    // Immutable headers (e.g. a Response.redirect or fetch result): copy the response.
    const copy = new Response(res.body, res);
    for (const [k, v] of Object.entries(extra)) {
      if (k === "vary") copy.headers.append(k, v);
      else copy.headers.set(k, v);
    }
    return copy;
  }
}
