/**
 * `DELETE /v2/apps/{appID}` (`api-v2.md` §6.1): 204; removes the app's fns and
 * triggers with it; 404 `App not found`.
 *
 * @module
 */

import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Deletes an app with everything in it. */
export async function deleteApp(_req: Request, ctx: RouteContext): Promise<Response> {
  await datastoreOf(ctx).removeApp(param(ctx, "appID"));
  return new Response(null, { status: 204 });
}
