/**
 * `GET /v2/triggers?app_id=&fn_id=&name=&cursor=&per_page=` (`api-v2.md` §6.3):
 * `app_id` is required (400 `Missing App ID on Trigger`, once); an unknown app lists
 * nothing.
 *
 * @module
 */

import { APIError } from "../models/api_error.ts";
import { jsonResponse } from "./json_text.ts";
import { encodeListPage, parsePageQuery } from "./pagination.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";
import { triggerEncoder } from "./trigger_endpoint.ts";
import { encodeTrigger } from "./trigger_wire.ts";

/** Lists the triggers of an app, each with its HTTP endpoint. */
export async function listTriggers(req: Request, ctx: RouteContext): Promise<Response> {
  const query = ctx.url.searchParams;
  const appId = query.get("app_id");
  if (!appId) throw new APIError(400, "Missing App ID on Trigger");
  const page = parsePageQuery(query);
  const ds = datastoreOf(ctx);
  const triggers = await ds.listTriggers({
    appId,
    fnId: query.get("fn_id") || undefined,
    name: query.get("name") || undefined,
    afterName: page.afterName,
    limit: page.limit,
  });
  // Only a non-empty page needs the app's name for the endpoint annotations.
  if (triggers.length === 0) return jsonResponse(encodeListPage([], page.limit, encodeTrigger));
  const encode = await triggerEncoder(ds, req, ctx.services.config.publicLbUrl, appId, true);
  return jsonResponse(encodeListPage(triggers, page.limit, encode));
}
