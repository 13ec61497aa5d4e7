/**
 * The Fn entity: one function (an image plus its resources) inside an app.
 *
 * @module
 */

import type { Annotations, Config } from "./app.ts";

/** Defaults and limits Fn applies to functions (not configurable, as in Fn). */
export const FN_LIMITS = {
  defaultMemoryMb: 128,
  maxMemoryMb: 8192,
  defaultTimeoutSeconds: 30,
  maxTimeoutSeconds: 300,
  defaultIdleTimeoutSeconds: 30,
  maxIdleTimeoutSeconds: 3600,
} as const;

/** A function as stored. */
export interface Fn {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly image: string;
  /** Memory limit in MB (1 MB = 1 MiB), 1..8192. */
  readonly memoryMb: number;
  /** Execution timeout in seconds, 1..300. */
  readonly timeoutSeconds: number;
  /** Seconds an idle hot container lives, 1..3600. */
  readonly idleTimeoutSeconds: number;
  readonly config: Config;
  readonly annotations: Annotations;
  /** Copied from the app at creation; undefined when the app has none. */
  readonly shape?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
