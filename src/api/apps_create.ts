/**
 * `POST /v2/apps` (`api-v2.md` §6.1): 200 with the app (not 201); 400 per §4.3; 409
 * `App already exists`.
 *
 * @module
 */

import { newApp } from "../models/validate_app.ts";
import { decodeAppFields, encodeApp } from "./app_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";

/** Creates an app. */
export async function createApp(req: Request, ctx: RouteContext): Promise<Response> {
  const fields = decodeAppFields(await readJsonObject(req, ctx.services.config.maxRequestBytes));
  const app = await datastoreOf(ctx).insertApp(newApp(fields));
  return jsonResponse(encodeApp(app));
}
