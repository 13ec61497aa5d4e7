/**
 * The App entity: a named group of functions sharing config.
 *
 * @module
 */

/** Annotation values are arbitrary non-empty JSON values. */
export type Annotations = Readonly<Record<string, unknown>>;

/** Config values are strings; they become environment variables of functions. */
export type Config = Readonly<Record<string, string>>;

/** App shapes Fn accepts (empty means unset). */
export const APP_SHAPES = ["GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"] as const;

/** An application as stored. */
export interface App {
  readonly id: string;
  readonly name: string;
  readonly config: Config;
  readonly annotations: Annotations;
  /** Where function logs go, e.g. `tcp://logs.example.com:514`; undefined when unset. */
  readonly syslogUrl?: string;
  /** One of {@linkcode APP_SHAPES}; undefined when unset. */
  readonly shape?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
