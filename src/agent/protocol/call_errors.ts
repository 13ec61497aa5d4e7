/**
 * The client-visible errors of a dispatch (`agent.md` §1.7, §4.2), in Fn's exact words.
 *
 * @module
 */

import { APIError, messages } from "../../models/api_error.ts";

/** 502 `error receiving function response`: the container broke before answering. */
export function errorReceiving(cause?: unknown): APIError {
  return new APIError(502, "error receiving function response", { blame: "user", cause });
}

/** 504 `Timed out`: the call's deadline passed (or the function answered 504). */
export function timedOut(cause?: unknown): APIError {
  return new APIError(504, messages.timedOut, { blame: "user", cause });
}

/** 502 `function failed`: the function answered 502. */
export function functionFailed(): APIError {
  return new APIError(502, "function failed", { blame: "user" });
}

/** 502 `invalid function response`: any status other than 200, 502 and 504. */
export function invalidResponse(cause?: unknown): APIError {
  return new APIError(502, "invalid function response", { blame: "user", cause });
}

/** 502 `function response header too large`. */
export function headerTooLarge(): APIError {
  return new APIError(502, "function response header too large", { blame: "user" });
}

/** 502 `function response body too large`. */
export function bodyTooLarge(): APIError {
  return new APIError(502, "function response body too large", { blame: "user" });
}

/** 500 `internal server error` for an I/O failure while copying a body. */
export function internalError(cause?: unknown): APIError {
  return new APIError(500, messages.internal, { cause });
}

/** 502 `Container failed to initialize, …`. */
export function initFailed(cause?: unknown): APIError {
  return new APIError(
    502,
    "Container failed to initialize, please ensure you are using the latest fdk and check the logs",
    { blame: "user", cause },
  );
}

/** 504 `Container initialization timed out, …`. */
export function initTimedOut(): APIError {
  return new APIError(
    504,
    "Container initialization timed out, please ensure you are using the latest fdk and check the logs",
    { blame: "user" },
  );
}
