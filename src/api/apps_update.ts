/**
 * `PUT /v2/apps/{appID}` (`api-v2.md` §5): merge-patch. Order: decode, id mismatch,
 * 404, immutable name (409), merge, validate.
 *
 * @module
 */

import { checkAppPatchId, mergeApp } from "../models/merge_app.ts";
import { decodeAppFields, encodeApp } from "./app_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Updates an app. */
export async function updateApp(req: Request, ctx: RouteContext): Promise<Response> {
  const id = param(ctx, "appID");
  const patch = decodeAppFields(await readJsonObject(req, ctx.services.config.maxRequestBytes));
  checkAppPatchId(id, patch);
  const app = await datastoreOf(ctx).updateApp(id, (current) => mergeApp(current, patch));
  return jsonResponse(encodeApp(app));
}
