/**
 * fnd's HTTP handler: `(req: Request) => Promise<Response>` for `Deno.serve`, built from
 * the route table for one node type. Around the routes: CORS (§1.7), the declared
 * request size limit (§1.6), Fn's 404/405/redirect answers (§1.4), and one error
 * mapping for everything a handler throws (§1.3).
 *
 * @module
 */

import type { NodeType } from "../config.ts";
import { apiMetrics } from "../metrics/api_metrics.ts";
import { withCors } from "./cors.ts";
import { checkDeclaredLength } from "./body_limit.ts";
import { errorBody, errorResponse } from "./error_response.ts";
import type { RouteContext, Services } from "./route_context.ts";
import { decodePathText, Router } from "./router.ts";
import { routesFor, type RouteSpec } from "./routes.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions extends Services {
  /** Selects the route groups served (§9). */
  readonly nodeType: NodeType;
  /** The route table; defaults to `ROUTES`. */
  readonly routes?: readonly RouteSpec[];
}

/** An HTTP handler for `Deno.serve`. */
export type HttpHandler = (req: Request) => Promise<Response>;

/**
 * Builds the handler of a node.
 *
 * @throws {TypeError} when a node that serves /v2 has no datastore
 */
export function createHandler(options: HandlerOptions): HttpHandler {
  const routes = routesFor(options.nodeType, options.routes);
  if (routes.some((r) => r.group === "v2") && options.datastore === undefined) {
    throw new TypeError(`Cannot serve /v2 on a ${options.nodeType} node without a datastore`);
  }
  const router = new Router<RouteSpec>();
  for (const route of routes) router.add(route.method, route.path, route);
  const metrics = apiMetrics();
  const services: Services = options;
  const maxBytes = options.config.maxRequestBytes;

  /** `routed.path` gets the matched route's metric label. */
  const route = async (req: Request, routed: { path?: string }): Promise<Response> => {
    const url = new URL(req.url);
    const path = decodePathText(url.pathname);
    const log = options.log.child({ method: req.method, path });
    const tooLarge = checkDeclaredLength(req, maxBytes);
    if (tooLarge !== undefined) return errorResponse(tooLarge, log);
    const match = router.match(req.method, url.pathname, url.search);
    switch (match.kind) {
      case "found": {
        const ctx: RouteContext = { url, params: match.params, services, log };
        routed.path = metrics.routed(req.method, match.value.path);
        try {
          return await match.value.handle(req, ctx);
        } catch (err) {
          return errorResponse(err, log);
        }
      }
      case "method-not-allowed":
        return errorBody(405, `Method not allowed: ${req.method} ${path}`);
      case "redirect":
        return new Response(null, { status: match.status, headers: { location: match.location } });
      case "not-found":
        return errorBody(404, `Path not found: ${req.method} ${path}`);
    }
  };

  const handler = withCors(
    { origins: options.config.corsOrigins, headers: options.config.corsHeaders },
    route,
  );
  return async (req) => {
    const started = performance.now();
    if (options.log.enabled("trace")) {
      options.log.trace("request received", { method: req.method, url: req.url });
    }
    const routed: { path?: string } = {};
    const res = await handler(req, routed);
    metrics.responded(req.method, routed.path, res, started);
    if (options.log.enabled("debug")) {
      options.log.debug("request", {
        method: req.method,
        url: req.url,
        status: res.status,
        ms: Math.round(performance.now() - started),
      });
    }
    return res;
  };
}
