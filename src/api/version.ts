/**
 * `GET /version` (`api-v2.md` §9): the Fn version fnd is compatible with (clients such
 * as the `fn` CLI read `version`), plus fnd's own version.
 *
 * @module
 */

import { jsonObject, jsonResponse, jsonValue } from "./json_text.ts";

/** The Fn server version whose API fnd serves. */
export const FN_COMPATIBLE_VERSION = "0.3.753";
/** fnd's own version. */
export const FND_VERSION = "0.1.0";

/** Answers `{"version":"0.3.753","fnd_version":"<fnd>"}`. */
export function getVersion(): Promise<Response> {
  return Promise.resolve(jsonResponse(jsonObject([
    ["version", jsonValue(FN_COMPATIBLE_VERSION)],
    ["fnd_version", jsonValue(FND_VERSION)],
  ])));
}
