/**
 * `GET /v2/fns/{fnID}` (`api-v2.md` §6.2): 200 with the invoke endpoint annotation, or
 * 404 `Fn not found`.
 *
 * @module
 */

import { endpointBase, withInvokeEndpoint } from "./endpoint_annotations.ts";
import { encodeFn } from "./fn_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Returns one fn. */
export async function getFn(req: Request, ctx: RouteContext): Promise<Response> {
  const fn = await datastoreOf(ctx).getFnById(param(ctx, "fnID"));
  const base = endpointBase(req, ctx.services.config.publicLbUrl);
  return jsonResponse(encodeFn(fn, withInvokeEndpoint(fn, base)));
}
