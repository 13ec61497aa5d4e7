/**
 * `GET /v2/triggers?app_id=&fn_id=&name=&cursor=&per_page=` (`api-v2.md` §6.3):
 * `app_id` is required (400 `Missing App ID on Trigger`, once); an unknown app lists
 * nothing. Names repeat across fns, so the cursor breaks ties by id where needed.
 *
 * @module
 */

import { APIError } from "../models/api_error.ts";
import { jsonResponse } from "./json_text.ts";
import { encodeListPage, parsePageQuery, tieBreakingCursor } from "./pagination.ts";
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
  // One row more than the page: it tells whether the last name repeats (see pagination.ts).
  const rows = await ds.listTriggers({
    appId,
    fnId: query.get("fn_id") || undefined,
    name: query.get("name") || undefined,
    afterName: page.afterName,
    afterId: page.afterId,
    limit: page.limit + 1,
  });
  const triggers = rows.slice(0, page.limit);
  // Only a non-empty page needs the app's name for the endpoint annotations.
  if (triggers.length === 0) return jsonResponse(encodeListPage([], page.limit, encodeTrigger));
  const encode = await triggerEncoder(ds, req, ctx.services.config.publicLbUrl, appId, true);
  const cursorOf = tieBreakingCursor(rows, page.limit);
  return jsonResponse(encodeListPage(triggers, page.limit, encode, cursorOf));
}
