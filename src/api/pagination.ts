/**
 * Listing and pagination shared by apps, fns and triggers (`api-v2.md` §6.4):
 * `per_page` (default 30, at most 100), a cursor that is the base64url (no padding)
 * name of the last item, and `next_cursor` only on a full page.
 *
 * @module
 */

import { APIError } from "../models/api_error.ts";
import { jsonArray, jsonObject, type JsonText, jsonValue } from "./json_text.ts";

/** Default page size, also used for a missing or unusable `per_page`. */
export const DEFAULT_PER_PAGE = 30;
/** Largest page size; larger requests are capped. */
export const MAX_PER_PAGE = 100;

/** A page request from the query string. */
export interface PageQuery {
  readonly limit: number;
  /** The decoded cursor: list names strictly after this one. */
  readonly afterName?: string;
}

const INT64_MAX = (1n << 63n) - 1n;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Parses `per_page` like Go's `strconv.Atoi`: anything that is not an int64, or is
 * ≤ 0, means 30; more than 100 means 100.
 */
export function parsePerPage(value: string | null): number {
  if (value === null || !/^[+-]?\d+$/.test(value)) return DEFAULT_PER_PAGE;
  const n = BigInt(value);
  if (n <= 0n || n > INT64_MAX) return DEFAULT_PER_PAGE;
  return n > BigInt(MAX_PER_PAGE) ? MAX_PER_PAGE : Number(n);
}

/** The cursor for a page that ended with the item named `name`. */
export function encodeCursor(name: string): string {
  let binary = "";
  for (const byte of encoder.encode(name)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes a cursor (Go's `base64.RawURLEncoding`).
 *
 * @throws {APIError} 400 when it is not one (Fn answers 500; fnd says what is wrong)
 */
export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor) || cursor.length % 4 === 1) {
    throw new APIError(
      400,
      `Invalid cursor "${cursor}": pass the next_cursor value of the previous page unchanged`,
    );
  }
  const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * Reads `per_page` and `cursor` from `query`.
 *
 * @throws {APIError} 400 on a bad cursor
 */
export function parsePageQuery(query: URLSearchParams): PageQuery {
  const limit = parsePerPage(query.get("per_page"));
  const cursor = query.get("cursor") ?? "";
  return cursor === "" ? { limit } : { limit, afterName: decodeCursor(cursor) };
}

/** `{"next_cursor"?,"items":[…]}`; the cursor is present only when the page is full. */
export function encodeListPage<T extends { readonly name: string }>(
  items: readonly T[],
  limit: number,
  encodeItem: (item: T) => JsonText,
): JsonText {
  const last = items.at(-1);
  const full = last !== undefined && items.length >= limit;
  return jsonObject([
    ["next_cursor", full ? jsonValue(encodeCursor(last.name)) : undefined],
    ["items", jsonArray(items.map(encodeItem))],
  ]);
}
