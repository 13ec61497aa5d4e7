/**
 * `GET /v2/triggers/{triggerID}` (`api-v2.md` §6.3): 200 with the HTTP endpoint
 * annotation, or 404 `Trigger not found`.
 *
 * @module
 */

import { jsonResponse } from "./json_text.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";
import { triggerEncoder } from "./trigger_endpoint.ts";

/** Returns one trigger. */
export async function getTrigger(req: Request, ctx: RouteContext): Promise<Response> {
  const ds = datastoreOf(ctx);
  const trigger = await ds.getTriggerById(param(ctx, "triggerID"));
  const encode = await triggerEncoder(
    ds,
    req,
    ctx.services.config.publicLbUrl,
    trigger.appId,
    true,
  );
  return jsonResponse(encode(trigger));
}
