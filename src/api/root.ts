/**
 * `GET /` (`api-v2.md` §9): Fn's ping answer; it checks neither datastore nor agent.
 *
 * @module
 */

import { jsonObject, jsonResponse, jsonValue } from "./json_text.ts";

/** Answers Fn's hello. */
export function getRoot(): Promise<Response> {
  return Promise.resolve(jsonResponse(jsonObject([
    ["goto", jsonValue("https://github.com/fnproject/fn")],
    ["hello", jsonValue("world!")],
  ])));
}
