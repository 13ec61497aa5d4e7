/**
 * Reading a /v2 request body as Go's Decoder would (`api-v2.md` §1.1): the
 * Content-Type is ignored, only the first JSON value counts, a top-level `null` is an
 * empty object, and anything else that is not an object is 400 `Invalid JSON`.
 *
 * @module
 */

import { APIError, messages } from "../models/api_error.ts";
import { JsonSyntaxError, parseFirstJsonValue } from "./_go_json.ts";
import { readBodyLimited } from "./body_limit.ts";
import type { JsonEntries } from "./wire_fields.ts";

// Invalid UTF-8 becomes U+FFFD, as in Go; a BOM is kept so it fails like in Go.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Reads the body and returns the entries of its first JSON value.
 *
 * @throws {APIError} 400 `Invalid JSON`, or 413 when the body is over `maxBytes`
 */
export async function readJsonObject(req: Request, maxBytes: number): Promise<JsonEntries> {
  const text = decoder.decode(await readBodyLimited(req, maxBytes));
  return parseJsonObject(text);
}

/**
 * The entries of the first JSON value of `text`.
 *
 * @throws {APIError} 400 `Invalid JSON` when it is not an object or `null`
 */
export function parseJsonObject(text: string): JsonEntries {
  let node;
  try {
    node = parseFirstJsonValue(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new APIError(400, messages.invalidJSON, { cause: err });
    }
    throw err;
  }
  if (node.kind === "null") return [];
  if (node.kind !== "object") throw new APIError(400, messages.invalidJSON);
  return node.entries;
}
