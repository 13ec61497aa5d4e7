/**
 * The Trigger entity: an HTTP route (`/t/{app}{source}`) bound to a function.
 *
 * @module
 */

import type { Annotations } from "./app.ts";

/** The only trigger type Fn supports. */
export const TRIGGER_TYPE_HTTP = "http";

/** A trigger as stored. */
export interface Trigger {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly fnId: string;
  /** Always `http` today. */
  readonly type: string;
  /** Path below `/t/{app}`, starting with `/`. */
  readonly source: string;
  readonly annotations: Annotations;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
