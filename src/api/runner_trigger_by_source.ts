/**
 * `GET /v2/runner/apps/{appID}/triggerBySource/{type}/{source...}` (`api-v2.md` §6.5):
 * how LB nodes resolve HTTP triggers through an API node. One leading `/` is removed
 * from the captured source, so Fn's LB client's `.../http//s` finds source `/s`. The
 * trigger comes back without its endpoint annotation.
 *
 * @module
 */

import { encodeTrigger } from "./trigger_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Looks a trigger up by app, type and source. */
export async function getTriggerBySource(_req: Request, ctx: RouteContext): Promise<Response> {
  const captured = param(ctx, "source");
  const source = captured.startsWith("/") ? captured.slice(1) : captured;
  const trigger = await datastoreOf(ctx).getTriggerBySource(
    param(ctx, "appID"),
    param(ctx, "triggerType"),
    source,
  );
  return jsonResponse(encodeTrigger(trigger));
}
