/**
 * Creating a trigger from client fields (Fn's `api-v2.md` §4.3, trigger create): the
 * field checks in Fn's order. The datastore then checks that the app and fn exist, that
 * the fn belongs to the app, and the two unique rules.
 *
 * @module
 */

import { validateNewAnnotations } from "./annotations.ts";
import { APIError } from "./api_error.ts";
import { newId } from "./id.ts";
import { validateTriggerName } from "./names.ts";
import { type Trigger, TRIGGER_TYPE_HTTP } from "./trigger.ts";

/** Go's zero `time.Time`: a timestamp a client may send without it counting as given. */
export const GO_ZERO_TIME_MS: number = Date.parse("0001-01-01T00:00:00Z");

/** Trigger fields as a client sends them; absent and JSON `null` are both undefined. */
export interface TriggerFields {
  readonly id?: string;
  readonly name?: string;
  readonly appId?: string;
  readonly fnId?: string;
  readonly type?: string;
  readonly source?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
  /** Parsed `created_at`, when the client sent one. */
  readonly createdAt?: Date;
  /** Parsed `updated_at`, when the client sent one. */
  readonly updatedAt?: Date;
}

function given(time: Date | undefined): boolean {
  return time !== undefined && time.getTime() !== GO_ZERO_TIME_MS;
}

/**
 * Checks the name, fn id, type and source of a trigger (shared by create and update).
 *
 * @throws {APIError} 400 with the first failing rule's message
 */
export function validateTriggerFields(
  t: Pick<Trigger, "name" | "fnId" | "type" | "source">,
): void {
  validateTriggerName(t.name);
  if (t.fnId === "") throw new APIError(400, "Missing Fn ID on Trigger");
  if (t.type !== TRIGGER_TYPE_HTTP) throw new APIError(400, "Trigger Type Not Supported");
  if (t.source === "") throw new APIError(400, "Missing Trigger Source");
  if (!t.source.startsWith("/")) throw new APIError(400, "Missing Trigger Source Prefix '/'");
}

/**
 * Validates `fields` and returns a new trigger with a fresh id.
 *
 * @throws {APIError} 400 `ID cannot be provided for Trigger creation`, `Trigger Created
 *   At Provided for Create`, `Trigger ID Provided for Create` (Fn's wording for
 *   `updated_at`), `Missing App ID on Trigger`, a field rule, or an annotation rule
 */
export function newTrigger(fields: TriggerFields, now: Date = new Date()): Trigger {
  if (fields.id) throw new APIError(400, "ID cannot be provided for Trigger creation");
  if (given(fields.createdAt)) throw new APIError(400, "Trigger Created At Provided for Create");
  if (given(fields.updatedAt)) throw new APIError(400, "Trigger ID Provided for Create");
  if (!fields.appId) throw new APIError(400, "Missing App ID on Trigger");
  const draft = {
    name: fields.name ?? "",
    fnId: fields.fnId ?? "",
    type: fields.type ?? "",
    source: fields.source ?? "",
  };
  validateTriggerFields(draft);
  const annotations = validateNewAnnotations(fields.annotations);
  return {
    id: newId(now.getTime()),
    ...draft,
    appId: fields.appId,
    annotations,
    createdAt: now,
    updatedAt: now,
  };
}
