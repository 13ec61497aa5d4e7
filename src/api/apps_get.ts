/**
 * `GET /v2/apps/{appID}` (`api-v2.md` §6.1): 200 or 404 `App not found`.
 *
 * @module
 */

import { encodeApp } from "./app_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Returns one app. */
export async function getApp(_req: Request, ctx: RouteContext): Promise<Response> {
  const app = await datastoreOf(ctx).getAppById(param(ctx, "appID"));
  return jsonResponse(encodeApp(app));
}
