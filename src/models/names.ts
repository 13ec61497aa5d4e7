/**
 * Name rules for apps, fns and triggers (Fn's `api-v2.md` §4.1): empty, length in
 * UTF-8 bytes, then allowed characters, each with Fn's exact 400 message.
 *
 * @module
 */

import { APIError } from "./api_error.ts";

/** Longest name Fn accepts, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

const encoder = new TextEncoder();

// Unicode letters and numbers (Nd, Nl, No), `_` and `-`.
const APP_NAME = /^[\p{L}\p{N}_-]+$/u;
// The bytes Go's URL path-segment escaping leaves unchanged.
const FN_NAME = /^[A-Za-z0-9\-_.~$&+:=@]+$/;

interface NameRule {
  readonly pattern: RegExp;
  readonly missing: string;
  readonly tooLong: string;
  readonly invalid: string;
}

function checkName(name: string, rule: NameRule): void {
  if (name === "") throw new APIError(400, rule.missing);
  if (encoder.encode(name).length > MAX_NAME_BYTES) throw new APIError(400, rule.tooLong);
  if (!rule.pattern.test(name)) throw new APIError(400, rule.invalid);
}

const appRule: NameRule = {
  pattern: APP_NAME,
  missing: "Missing Name",
  tooLong: "App name must be 255 characters or less",
  invalid: "Invalid app name",
};

const fnRule: NameRule = {
  pattern: FN_NAME,
  missing: "Missing Fn name",
  tooLong: "Fn name must be 255 characters or less",
  invalid: "name must be a valid string",
};

const triggerRule: NameRule = {
  pattern: APP_NAME,
  missing: "Missing name on Trigger",
  tooLong: "Trigger name must be 255 characters or less",
  invalid: "Invalid name for Trigger",
};

/**
 * Checks an app name: non-empty, at most 255 UTF-8 bytes, letters, numbers, `_`, `-`.
 *
 * @throws {APIError} 400 `Missing Name`, `App name must be 255 characters or less`,
 *   `Invalid app name`
 */
export function validateAppName(name: string): void {
  checkName(name, appRule);
}

/**
 * Checks a fn name: non-empty, at most 255 bytes, only `A-Z a-z 0-9 - _ . ~ $ & + : = @`.
 *
 * @throws {APIError} 400 `Missing Fn name`, `Fn name must be 255 characters or less`,
 *   `name must be a valid string`
 */
export function validateFnName(name: string): void {
  checkName(name, fnRule);
}

/**
 * Checks a trigger name (same characters as app names).
 *
 * @throws {APIError} 400 `Missing name on Trigger`, `Trigger name must be 255 characters
 *   or less`, `Invalid name for Trigger`
 */
export function validateTriggerName(name: string): void {
  checkName(name, triggerRule);
}
