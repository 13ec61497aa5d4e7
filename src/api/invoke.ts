/**
 * `POST /invoke/{fnID}` (`api-v2.md` §8.1, §8.3, §8.4): finds the fn and its app, passes
 * the client's headers through, and answers 200 with the function's headers verbatim
 * and its body streamed. `Fn-Invoke-Type: detached` answers 202 at once. Functions in a
 * stdin/stdout format (`fnd.io/format`) answer with their own status, which those
 * formats carry directly.
 *
 * @module
 */

import { functionFormat } from "../agent/call_env.ts";
import { lookupOf } from "./_call_lookup.ts";
import { invokeRequestHeaders, invokeResponseHeaders, plainResponseHead } from "./_call_headers.ts";
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
  const plain = functionFormat(fn) !== "http-stream";
  return await runCall(req, ctx, {
    app,
    fn,
    triggerId: "",
    headers: invokeRequestHeaders(req),
    // Exactly `detached`, case-sensitive, as in Fn.
    detached: req.headers.get("fn-invoke-type") === "detached",
    respond: (res) =>
      plain
        ? plainResponseHead(res.status, res.headers)
        : { status: 200, headers: invokeResponseHeaders(res.headers) },
  });
}
