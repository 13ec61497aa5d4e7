/**
 * `GET /v2/fns?app_id=&name=&cursor=&per_page=` (`api-v2.md` §6.2): `app_id` is
 * required (400 `Missing AppID on Fn`); an unknown app lists nothing.
 *
 * @module
 */

import { APIError } from "../models/api_error.ts";
import { endpointBase, withInvokeEndpoint } from "./endpoint_annotations.ts";
import { encodeFn } from "./fn_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { encodeListPage, parsePageQuery } from "./pagination.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";

/** Lists the fns of an app, each with its invoke endpoint. */
export async function listFns(req: Request, ctx: RouteContext): Promise<Response> {
  const query = ctx.url.searchParams;
  const appId = query.get("app_id");
  if (!appId) throw new APIError(400, "Missing AppID on Fn");
  const page = parsePageQuery(query);
  const fns = await datastoreOf(ctx).listFns({
    appId,
    name: query.get("name") || undefined,
    afterName: page.afterName,
    limit: page.limit,
  });
  const base = endpointBase(req, ctx.services.config.publicLbUrl);
  return jsonResponse(
    encodeListPage(fns, page.limit, (fn) => encodeFn(fn, withInvokeEndpoint(fn, base))),
  );
}
