/**
 * `DELETE /v2/fns/{fnID}` (`api-v2.md` §6.2): 204, removing the fn's triggers; 404
 * `Fn not found`.
 *
 * @module
 */

import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Deletes a fn with its triggers. */
export async function deleteFn(_req: Request, ctx: RouteContext): Promise<Response> {
  await datastoreOf(ctx).removeFn(param(ctx, "fnID"));
  return new Response(null, { status: 204 });
}
