/**
 * `POST /invoke/{fnID}` (`api-v2.md` §8.1, §8.3, §8.4): finds the fn and its app, passes
 * the client's headers through, and answers 200 with the function's headers verbatim
 * and its body streamed. `Fn-Invoke-Type: detached` answers 202 at once.
 *
 * @module
 */

import { lookupOf } from "./_call_lookup.ts";
import { invokeRequestHeaders, invokeResponseHeaders } from "./_call_headers.ts";
import { runCall } from "./_run_call.ts";
import { param, type RouteContext } from "./route_context.ts";

/**
 * Invokes a function by id.
 *
 * @throws {APIError} 404 `Fn not found` / `App not found`
 */
export async function invokeFn(req: Request, ctx: RouteContext): Promise<Response> {
  const lookup = lookupOf(ctx);
  const fn = await lookup.getFnById(param(ctx, "fnID"));
  const app = await lookup.getAppById(fn.appId);
  return await runCall(req, ctx, {
    app,
    fn,
    triggerId: "",
    headers: invokeRequestHeaders(req),
    // Exactly `detached`, case-sensitive, as in Fn.
    detached: req.headers.get("fn-invoke-type") === "detached",
    respond: (res) => ({ status: 200, headers: invokeResponseHeaders(res.headers) }),
  });
}
