/**
 * Test helper: asserts that a function throws an `APIError` with a given status and
 * exact message.
 *
 * @module
 */

import assert from "node:assert/strict";
import { APIError } from "./api_error.ts";

/** Asserts `fn` throws `APIError(status, message)`. */
export function assertAPIError(fn: () => unknown, status: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof APIError, `expected an APIError, got ${err}`);
    assert.equal(err.message, message);
    assert.equal(err.status, status);
    return true;
  });
}
