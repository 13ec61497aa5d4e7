/**
 * Updating a trigger with a merge-patch (Fn's `api-v2.md` §5). Non-empty `name`,
 * `fn_id` and `source` replace, annotations merge, `type` and `app_id` are ignored.
 * Unlike Fn, the result is validated like a new trigger, and the datastore re-checks
 * the fn, its app and both unique rules (DESIGN.md: trigger PUT is validated like
 * create).
 *
 * @module
 */

import { annotationsEqual, mergeAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import type { Trigger } from "./trigger.ts";
import { type TriggerFields, validateTriggerFields } from "./validate_trigger.ts";

/**
 * Checks the optional `id` of an update body against the id in the path.
 *
 * @throws {APIError} 400 `ID in path does not match ID in body`
 */
export function checkTriggerPatchId(pathId: string, patch: TriggerFields): void {
  if (patch.id && patch.id !== pathId) {
    throw new APIError(400, "ID in path does not match ID in body");
  }
}

/**
 * Applies `patch` to `current` and validates the result.
 *
 * @throws {APIError} 400 on a name, source or annotation rule
 */
export function mergeTrigger(
  current: Trigger,
  patch: TriggerFields,
  now: Date = new Date(),
): Trigger {
  const name = patch.name || current.name;
  const fnId = patch.fnId || current.fnId;
  const source = patch.source || current.source;
  validateTriggerFields({ name, fnId, source, type: current.type });
  const annotations = mergeAnnotations(current.annotations, patch.annotations);
  const changed = name !== current.name || fnId !== current.fnId ||
    source !== current.source || !annotationsEqual(annotations, current.annotations);
  if (!changed) return current;
  return { ...current, name, fnId, source, annotations, updatedAt: now };
}
