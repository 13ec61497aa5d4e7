/**
 * The entity lookups of the call path: the node's `lookup` service when it has one
 * (an LB may pass an API-node client or a cache), else its datastore.
 *
 * @module
 */

import type { EntityLookup, RouteContext } from "./route_context.ts";

/**
 * The lookups for this request.
 *
 * @throws {Error} when the node has neither a lookup service nor a datastore (a wiring bug)
 */
export function lookupOf(ctx: RouteContext): EntityLookup {
  const lookup = ctx.services.lookup ?? ctx.services.datastore;
  if (lookup === undefined) {
    throw new Error("this node has no datastore or lookup service, but a call route needs one");
  }
  return lookup;
}
