/**
 * Listing and pagination shared by apps, fns and triggers (`api-v2.md` §6.4):
 * `per_page` (default 30, at most 100), a cursor that is the base64url (no padding)
 * name of the last item, and `next_cursor` only on a full page.
 *
 * Trigger names repeat across fns, and Fn's name cursor then skips the triggers that
 * share the last name of a page (§12.7). Where that would happen, fnd's cursor holds
 * the last item's id too (`name NUL id`, still base64url), and the next page starts
 * after that (name, id) position; everywhere else it is Fn's cursor, byte for byte.
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
  /** The decoded cursor: list names strictly after this one (unless `afterId` is set). */
  readonly afterName?: string;
  /**
   * From a (name, id) cursor: list the items after (`afterName`, `afterId`), i.e. also
   * those named `afterName` with a greater id. Only trigger lists produce it; for apps and
   * fns, whose names are unique, `afterName` alone gives the same page.
   */
  readonly afterId?: string;
}

/** A decoded cursor: the position of the last item of the previous page. */
export interface CursorPosition {
  readonly name: string;
  /** Present in fnd's (name, id) cursors; absent in Fn's plain name cursors. */
  readonly id?: string;
}

/** Separates name and id in a (name, id) cursor; no valid name contains it. */
const ID_SEPARATOR = "\0";

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

/**
 * The cursor for a page that ended with the item named `name`: Fn's base64url of the
 * name, or with `id` a (name, id) cursor.
 */
export function encodeCursor(name: string, id?: string): string {
  const text = id === undefined ? name : `${name}${ID_SEPARATOR}${id}`;
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes a cursor (Go's `base64.RawURLEncoding`): Fn's plain name cursor or fnd's
 * (name, id) cursor.
 *
 * @throws {APIError} 400 when it is not one (Fn answers 500; fnd says what is wrong)
 */
export function decodeCursor(cursor: string): CursorPosition {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor) || cursor.length % 4 === 1) {
    throw new APIError(
      400,
      `Invalid cursor "${cursor}": pass the next_cursor value of the previous page unchanged`,
    );
  }
  const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  const text = decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  const split = text.indexOf(ID_SEPARATOR);
  return split < 0
    ? { name: text }
    : { name: text.slice(0, split), id: text.slice(split + ID_SEPARATOR.length) };
}

/**
 * Reads `per_page` and `cursor` from `query`.
 *
 * @throws {APIError} 400 on a bad cursor
 */
export function parsePageQuery(query: URLSearchParams): PageQuery {
  const limit = parsePerPage(query.get("per_page"));
  const cursor = query.get("cursor") ?? "";
  if (cursor === "") return { limit };
  const { name, id } = decodeCursor(cursor);
  return id === undefined ? { limit, afterName: name } : { limit, afterName: name, afterId: id };
}

/**
 * The cursor after a page of items whose names may repeat (triggers), given the rows
 * read for it with one row of lookahead (`limit + 1`): Fn's name cursor when the row
 * after the page has another name or there is none, else a (name, id) cursor.
 */
export function tieBreakingCursor<T extends { readonly name: string; readonly id: string }>(
  rows: readonly T[],
  limit: number,
): (last: T) => string {
  const next = rows[limit];
  return (last) => encodeCursor(last.name, next?.name === last.name ? last.id : undefined);
}

/**
 * `{"next_cursor"?,"items":[…]}`; the cursor is present only when the page is full.
 * `cursorOf` makes it from the last item. @default {Fn's name cursor}
 */
export function encodeListPage<T extends { readonly name: string }>(
  items: readonly T[],
  limit: number,
  encodeItem: (item: T) => JsonText,
  cursorOf: (last: T) => string = (last) => encodeCursor(last.name),
): JsonText {
  const last = items.at(-1);
  const full = last !== undefined && items.length >= limit;
  return jsonObject([
    ["next_cursor", full ? jsonValue(cursorOf(last)) : undefined],
    ["items", jsonArray(items.map(encodeItem))],
  ]);
}
