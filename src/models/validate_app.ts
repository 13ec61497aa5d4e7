/**
 * Creating an app from client fields (Fn's `api-v2.md` §4.3, app create): the checks
 * in Fn's order, first failure wins.
 *
 * @module
 */

import { validateNewAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import { type App, APP_SHAPES, type Config } from "./app.ts";
import { newConfig } from "./config_map.ts";
import { newId } from "./id.ts";
import { validateAppName } from "./names.ts";
import { validateSyslogUrl } from "./syslog_url.ts";

/**
 * App fields as a client sends them (create body or update patch). Absent and JSON
 * `null` are both undefined, except inside `annotations`, where `null` is kept so it
 * can be rejected on create and mean "delete" on update.
 */
export interface AppFields {
  readonly id?: string;
  readonly name?: string;
  readonly config?: Config;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly syslogUrl?: string;
  readonly shape?: string;
}

/**
 * Validates `fields` and returns a new app with a fresh id, created and updated `now`.
 * The datastore enforces the unique name (409 `App already exists`).
 *
 * @throws {APIError} 400 `App ID cannot be supplied on create`, a name or annotation
 *   rule's message, a syslog URL error, or `Invalid app shape`
 */
export function newApp(fields: AppFields, now: Date = new Date()): App {
  if (fields.id) throw new APIError(400, "App ID cannot be supplied on create");
  const name = fields.name ?? "";
  validateAppName(name);
  const annotations = validateNewAnnotations(fields.annotations);
  const syslogUrl = fields.syslogUrl || undefined;
  if (syslogUrl !== undefined) validateSyslogUrl(syslogUrl);
  const shape = fields.shape || undefined;
  if (shape !== undefined && !(APP_SHAPES as readonly string[]).includes(shape)) {
    throw new APIError(400, "Invalid app shape");
  }
  return {
    id: newId(now.getTime()),
    name,
    config: newConfig(fields.config),
    annotations,
    syslogUrl,
    shape,
    createdAt: now,
    updatedAt: now,
  };
}
