/**
 * `PUT /v2/triggers/{triggerID}` (`api-v2.md` §5): merge-patch, validated like create
 * (fnd's fix of Fn's quirk 12.3: the datastore re-checks the fn, its app and both
 * unique rules). The response has no endpoint annotation.
 *
 * @module
 */

import { checkTriggerPatchId, mergeTrigger } from "../models/merge_trigger.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";
import { decodeTriggerFields, encodeTrigger } from "./trigger_wire.ts";

/** Updates a trigger. */
export async function updateTrigger(req: Request, ctx: RouteContext): Promise<Response> {
  const id = param(ctx, "triggerID");
  const body = await readJsonObject(req, ctx.services.config.maxRequestBytes);
  const patch = decodeTriggerFields(body);
  checkTriggerPatchId(id, patch);
  const trigger = await datastoreOf(ctx).updateTrigger(
    id,
    (current) => mergeTrigger(current, patch),
  );
  return jsonResponse(encodeTrigger(trigger));
}
