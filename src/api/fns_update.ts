/**
 * `PUT /v2/fns/{fnID}` (`api-v2.md` §5): merge-patch; the response has no endpoint
 * annotation. Order: decode, id mismatch, 404, merge, validate.
 *
 * @module
 */

import { checkFnPatchId, mergeFn } from "../models/merge_fn.ts";
import { decodeFnFields, encodeFn } from "./fn_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { readJsonObject } from "./read_json_body.ts";
import { datastoreOf, param, type RouteContext } from "./route_context.ts";

/** Updates a fn. */
export async function updateFn(req: Request, ctx: RouteContext): Promise<Response> {
  const id = param(ctx, "fnID");
  const patch = decodeFnFields(await readJsonObject(req, ctx.services.config.maxRequestBytes));
  checkFnPatchId(id, patch);
  const fn = await datastoreOf(ctx).updateFn(id, (current) => mergeFn(current, patch));
  return jsonResponse(encodeFn(fn));
}
