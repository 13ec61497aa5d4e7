/**
 * Updating an app with a merge-patch (Fn's `api-v2.md` §5): config and annotations
 * merge, `syslog_url` is replaced or removed, the name is immutable, `shape` is
 * silently ignored, and `updated_at` moves only when something really changed.
 *
 * @module
 */

import { annotationsEqual, mergeAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import type { App } from "./app.ts";
import { configEqual, mergeConfig } from "./config_map.ts";
import { validateSyslogUrl } from "./syslog_url.ts";
import type { AppFields } from "./validate_app.ts";

/**
 * Checks the optional `id` of an update body against the id in the path.
 *
 * @throws {APIError} 400 `App ID in path does not match ID in body`
 */
export function checkAppPatchId(pathId: string, patch: AppFields): void {
  if (patch.id && patch.id !== pathId) {
    throw new APIError(400, "App ID in path does not match ID in body");
  }
}

/**
 * Applies `patch` to `current` and validates the result.
 *
 * @throws {APIError} 409 `Could not update - name is immutable`, 400 on an annotation
 *   rule or a bad syslog URL
 */
export function mergeApp(current: App, patch: AppFields, now: Date = new Date()): App {
  if (patch.name && patch.name !== current.name) {
    throw new APIError(409, "Could not update - name is immutable");
  }
  const config = mergeConfig(current.config, patch.config);
  const annotations = mergeAnnotations(current.annotations, patch.annotations);
  let syslogUrl = current.syslogUrl;
  if (patch.syslogUrl !== undefined) {
    syslogUrl = patch.syslogUrl === "" ? undefined : patch.syslogUrl;
    if (syslogUrl !== undefined) validateSyslogUrl(syslogUrl);
  }
  const changed = !configEqual(config, current.config) ||
    !annotationsEqual(annotations, current.annotations) ||
    syslogUrl !== current.syslogUrl;
  if (!changed) return current;
  return { ...current, config, annotations, syslogUrl, updatedAt: now };
}
