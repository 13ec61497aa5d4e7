/**
 * What every route handler receives: the request plus a {@linkcode RouteContext} with
 * the path parameters and the node's services. A handler is
 * `(req, ctx) => Promise<Response>` and may throw; `createHandler` turns what it throws
 * into an error response.
 *
 * @module
 */

import type { Agent } from "../agent/call.ts";
import type { ServerConfig } from "../config.ts";
import type { Datastore } from "../datastore/datastore.ts";
import type { Logger } from "../log.ts";

/** The lookups the invoke and trigger entry points need (a datastore or an API client). */
export type EntityLookup = Pick<
  Datastore,
  "getAppById" | "getAppByName" | "getFnById" | "getTriggerBySource"
>;

/** What a node gives its HTTP handler. */
export interface Services {
  /** The server section of the configuration. */
  readonly config: ServerConfig;
  /** Present on full and api nodes. */
  readonly datastore?: Datastore;
  /** Present on nodes that run calls (full, lb). */
  readonly agent?: Agent;
  /** Entity lookups for invoke and triggers; defaults to the datastore. */
  readonly lookup?: EntityLookup;
  /** The node's logger. */
  readonly log: Logger;
}

/** Per-request context of a route handler. */
export interface RouteContext {
  /** The parsed request URL. */
  readonly url: URL;
  /** Path parameters, percent-decoded; a `*name` parameter keeps its leading `/`. */
  readonly params: Readonly<Record<string, string>>;
  readonly services: Services;
  /** A logger carrying the request's method and path. */
  readonly log: Logger;
}

/** A route handler. */
export type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;

/**
 * The node's datastore.
 *
 * @throws {Error} when the node has none (a wiring bug: /v2 routes need one)
 */
export function datastoreOf(ctx: RouteContext): Datastore {
  const ds = ctx.services.datastore;
  if (ds === undefined) throw new Error("this node has no datastore, but a /v2 route needs one");
  return ds;
}

/**
 * A path parameter.
 *
 * @throws {Error} when the route does not define it (a route table bug)
 */
export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter "${name}"`);
  return value;
}
