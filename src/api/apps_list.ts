/**
 * `GET /v2/apps?name=&cursor=&per_page=` (`api-v2.md` §6.1, §6.4).
 *
 * @module
 */

import { encodeApp } from "./app_wire.ts";
import { jsonResponse } from "./json_text.ts";
import { encodeListPage, parsePageQuery } from "./pagination.ts";
import { datastoreOf, type RouteContext } from "./route_context.ts";

/** Lists apps by name, one page at a time. */
export async function listApps(_req: Request, ctx: RouteContext): Promise<Response> {
  const query = ctx.url.searchParams;
  const page = parsePageQuery(query);
  const apps = await datastoreOf(ctx).listApps({
    name: query.get("name") || undefined,
    afterName: page.afterName,
    limit: page.limit,
  });
  return jsonResponse(encodeListPage(apps, page.limit, encodeApp));
}
