/**
 * The one place where errors become responses (`api-v2.md` §1.3): an `APIError` gives
 * its status and message (plus `Retry-After`); anything else is logged with its stack
 * and answered 500 `internal server error`, leaking nothing.
 *
 * @module
 */

import { isAPIError, messages } from "../models/api_error.ts";
import type { Logger } from "../log.ts";
import { markErrorBlame } from "../metrics/api_metrics.ts";
import { jsonObject, jsonValue } from "./json_text.ts";

/** `{"message":"<text>"}\n` with Fn's JSON content type. */
export function errorBody(
  status: number,
  message: string,
  headers: HeadersInit = {},
): Response {
  const out = new Headers(headers);
  out.set("content-type", "application/json; charset=utf-8");
  return new Response(jsonObject([["message", jsonValue(message)]]) + "\n", {
    status,
    headers: out,
  });
}

/** Turns anything thrown by a handler into a response; unexpected errors are logged. */
export function errorResponse(err: unknown, log: Logger): Response {
  if (isAPIError(err)) {
    const headers: Record<string, string> = {};
    if (err.retryAfterSeconds !== undefined) headers["retry-after"] = String(err.retryAfterSeconds);
    if (err.status >= 500) log.warn("request failed", { status: err.status, error: err.message });
    return markErrorBlame(errorBody(err.status, err.message, headers), err);
  }
  log.error("internal server error", { error: err instanceof Error ? err : String(err) });
  return markErrorBlame(errorBody(500, messages.internal), err);
}
