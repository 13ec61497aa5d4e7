/**
 * `POST /v2/triggers` (`api-v2.md` §6.3): field validation (§4.3), then the datastore's
 * checks (404 app/fn, 400 fn of another app, 409 source or name taken). 200 with the
 * HTTP endpoint annotation.
 *
 * @module
 */

import { newTrigger } from "../models/validate_trigger.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";
import { triggerEncoder } from "./trigger_endpoint.ts";
import { decodeTriggerFields } from "./trigger_wire.ts";

/** Creates a trigger. */
export async function createTrigger(req: Request, ctx: RouteContext): Promise<Response> {
  const body = await readJsonObject(req, ctx.services.config.maxRequestBytes);
  const ds = datastoreOf(ctx);
  const trigger = await ds.insertTrigger(newTrigger(decodeTriggerFields(body)));
  const encode = await triggerEncoder(
    ds,
    req,
    ctx.services.config.publicLbUrl,
    trigger.appId,
    false,
  );
  return jsonResponse(encode(trigger));
}
