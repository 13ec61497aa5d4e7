/**
 * `DELETE /v2/triggers/{triggerID}` (`api-v2.md` §6.3): 204, or 404 `Trigger not found`.
 *
 * @module
 */

import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Deletes a trigger. */
export async function deleteTrigger(_req: Request, ctx: RouteContext): Promise<Response> {
  await datastoreOf(ctx).removeTrigger(param(ctx, "triggerID"));
  return new Response(null, { status: 204 });
}
