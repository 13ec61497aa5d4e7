/**
 * HTTP triggers, `/t/{appName}` and `/t/{appName}/{source...}` with any method
 * (`api-v2.md` §8.1, §8.2, §8.5): app by name, trigger by exact source, then its fn.
 * The function sees the request wrapped in `Fn-Http-*` headers and answers with
 * `Fn-Http-Status` and `Fn-Http-H-*`, which are unwrapped for the client. Functions in
 * a stdin/stdout format (`fnd.io/format`) get the client's headers as they are (the
 * formats carry method and URL themselves) and answer with their own status and headers.
 *
 * @module
 */

import { functionFormat } from "../agent/call_env.ts";
import { TRIGGER_TYPE_HTTP } from "../models/trigger.ts";
import { lookupOf } from "./_call_lookup.ts";
import {
  invokeRequestHeaders,
  plainResponseHead,
  triggerRequestHeaders,
  triggerResponseHead,
} from "./_call_headers.ts";
import { runCall } from "./_run_call.ts";
import { param, type RouteContext } from "./route_context.ts";

/**
 * Calls the function behind an HTTP trigger. `Fn-Invoke-Type` is not honoured here:
 * like Fn, a trigger call is always synchronous.
 *
 * @throws {APIError} 404 `App not found` / `Trigger not found` / `Fn not found`
 */
export async function callTrigger(req: Request, ctx: RouteContext): Promise<Response> {
  const lookup = lookupOf(ctx);
  const app = await lookup.getAppByName(param(ctx, "appName"));
  // `/t/app` has no source parameter; `/t/app/` gives "/" (both select source "/").
  const source = ctx.params.source ?? "/";
  const trigger = await lookup.getTriggerBySource(app.id, TRIGGER_TYPE_HTTP, source);
  const fn = await lookup.getFnById(trigger.fnId);
  const plain = functionFormat(fn) !== "http-stream";
  return await runCall(req, ctx, {
    app,
    fn,
    triggerId: trigger.id,
    headers: plain ? invokeRequestHeaders(req) : triggerRequestHeaders(req),
    detached: false,
    respond: (res) =>
      plain ? plainResponseHead(res.status, res.headers) : triggerResponseHead(res.headers),
  });
}
