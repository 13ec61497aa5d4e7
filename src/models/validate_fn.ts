/**
 * Creating a fn from client fields (Fn's `api-v2.md` §4.3, fn create): defaults first
 * (0 means "use the default"), then the checks in Fn's order.
 *
 * @module
 */

import { validateNewAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import type { Config } from "./app.ts";
import { newConfig } from "./config_map.ts";
import { type Fn, FN_LIMITS } from "./fn.ts";
import { newId } from "./id.ts";
import { validateFnName } from "./names.ts";

/** Fn fields as a client sends them; absent and JSON `null` are both undefined. */
export interface FnFields {
  readonly id?: string;
  readonly name?: string;
  readonly appId?: string;
  readonly image?: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly idleTimeoutSeconds?: number;
  readonly config?: Config;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** The resource settings that have range rules. */
export interface FnResources {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
}

/**
 * Checks timeout, idle timeout and memory against Fn's ranges, in that order.
 *
 * @throws {APIError} 400 with Fn's out-of-range message
 */
export function validateFnResources(r: FnResources): void {
  if (r.timeoutSeconds < 1 || r.timeoutSeconds > FN_LIMITS.maxTimeoutSeconds) {
    throw new APIError(400, "timeout value is out of range, must be between 0 and 300");
  }
  if (r.idleTimeoutSeconds < 1 || r.idleTimeoutSeconds > FN_LIMITS.maxIdleTimeoutSeconds) {
    throw new APIError(400, "idle_timeout value is out of range, must be between 0 and 3600");
  }
  if (r.memoryMb < 1 || r.memoryMb > FN_LIMITS.maxMemoryMb) {
    throw new APIError(400, "memory value is out of range. It should be between 0 and 8192");
  }
}

/**
 * Validates `fields` and returns a new fn with a fresh id. The caller copies the app's
 * shape and checks that the app exists (404); the datastore enforces the unique name.
 *
 * @throws {APIError} 400 `ID cannot be provided for Fn creation`, `Missing AppID on Fn`,
 *   a name rule's message, `Missing image on Fn`, an out-of-range message, or an
 *   annotation rule's message
 */
export function newFn(fields: FnFields, now: Date = new Date()): Fn {
  const resources: FnResources = {
    memoryMb: fields.memoryMb || FN_LIMITS.defaultMemoryMb,
    timeoutSeconds: fields.timeoutSeconds || FN_LIMITS.defaultTimeoutSeconds,
    idleTimeoutSeconds: fields.idleTimeoutSeconds || FN_LIMITS.defaultIdleTimeoutSeconds,
  };
  if (fields.id) throw new APIError(400, "ID cannot be provided for Fn creation");
  if (!fields.appId) throw new APIError(400, "Missing AppID on Fn");
  const name = fields.name ?? "";
  validateFnName(name);
  if (!fields.image) throw new APIError(400, "Missing image on Fn");
  validateFnResources(resources);
  const annotations = validateNewAnnotations(fields.annotations);
  return {
    id: newId(now.getTime()),
    name,
    appId: fields.appId,
    image: fields.image,
    ...resources,
    config: newConfig(fields.config),
    annotations,
    createdAt: now,
    updatedAt: now,
  };
}
