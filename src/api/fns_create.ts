/**
 * `POST /v2/fns` (`api-v2.md` §6.2): validation first (§4.3), then 404 `App not found`,
 * then 409 on a taken name. The fn takes the app's shape. 200 with the invoke endpoint
 * annotation.
 *
 * @module
 */

import { newFn } from "../models/validate_fn.ts";
import { endpointBase, withInvokeEndpoint } from "./endpoint_annotations.ts";
import { decodeFnFields, encodeFn } from "./fn_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";

/** Creates a fn. */
export async function createFn(req: Request, ctx: RouteContext): Promise<Response> {
  const fields = decodeFnFields(await readJsonObject(req, ctx.services.config.maxRequestBytes));
  const draft = newFn(fields);
  const ds = datastoreOf(ctx);
  const app = await ds.getAppById(draft.appId);
  const fn = await ds.insertFn({ ...draft, shape: app.shape });
  const base = endpointBase(req, ctx.services.config.publicLbUrl);
  return jsonResponse(encodeFn(fn, withInvokeEndpoint(fn, base)));
}
