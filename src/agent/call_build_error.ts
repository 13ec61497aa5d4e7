/**
 * Errors raised while a call is still being built, before it exists as a call: Fn
 * answers them without `Fn-Call-Id` (`api-v2.md` §8.6), so entry points tell them
 * apart from failures of a call that has an id.
 *
 * @module
 */

import { APIError, type APIErrorOptions } from "../models/api_error.ts";

/** An {@linkcode APIError} for a call that was never created (no `Fn-Call-Id`). */
export class CallBuildError extends APIError {
  constructor(status: number, message: string, options?: APIErrorOptions) {
    super(status, message, options);
    this.name = "CallBuildError";
  }
}

/** 400 `Requested CPU/Memory cannot be allocated`: the fn needs more than the machine has. */
export function cannotAllocate(): CallBuildError {
  return new CallBuildError(400, "Requested CPU/Memory cannot be allocated");
}
