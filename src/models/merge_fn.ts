/**
 * Updating a fn with a merge-patch (Fn's `api-v2.md` §5): image and non-zero resources
 * replace, config and annotations merge, `name` and `app_id` are silently ignored, and
 * `updated_at` moves only when something really changed.
 *
 * @module
 */

import { annotationsEqual, mergeAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import { configEqual, mergeConfig } from "./config_map.ts";
import type { Fn } from "./fn.ts";
import { type FnFields, type FnResources, validateFnResources } from "./validate_fn.ts";

/**
 * Checks the optional `id` of an update body against the id in the path.
 *
 * @throws {APIError} 400 `Fn ID in path does not match that in body`
 */
export function checkFnPatchId(pathId: string, patch: FnFields): void {
  if (patch.id && patch.id !== pathId) {
    throw new APIError(400, "Fn ID in path does not match that in body");
  }
}

/**
 * Applies `patch` to `current` and validates the result.
 *
 * @throws {APIError} 400 on an out-of-range resource or an annotation rule
 */
export function mergeFn(current: Fn, patch: FnFields, now: Date = new Date()): Fn {
  const image = patch.image || current.image;
  const resources: FnResources = {
    memoryMb: patch.memoryMb || current.memoryMb,
    timeoutSeconds: patch.timeoutSeconds || current.timeoutSeconds,
    idleTimeoutSeconds: patch.idleTimeoutSeconds || current.idleTimeoutSeconds,
  };
  const config = mergeConfig(current.config, patch.config);
  validateFnResources(resources);
  const annotations = mergeAnnotations(current.annotations, patch.annotations);
  const changed = image !== current.image ||
    resources.memoryMb !== current.memoryMb ||
    resources.timeoutSeconds !== current.timeoutSeconds ||
    resources.idleTimeoutSeconds !== current.idleTimeoutSeconds ||
    !configEqual(config, current.config) ||
    !annotationsEqual(annotations, current.annotations);
  if (!changed) return current;
  return { ...current, image, ...resources, config, annotations, updatedAt: now };
}
