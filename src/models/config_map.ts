/**
 * Config maps (Fn's `api-v2.md` §3.5): string keys to string values, no rules on
 * either. Create stores them as given; update merges, with `""` deleting a key.
 *
 * @module
 */

import type { Config } from "./app.ts";

/** A copy of `config` for a new entity (empty values are kept, as in Fn). */
export function newConfig(config: Config | undefined): Config {
  return Object.fromEntries(Object.entries(config ?? {}));
}

/** Merges `patch` into `current`: `""` deletes the key, any other value sets it. */
export function mergeConfig(current: Config, patch: Config | undefined): Config {
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === "") merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

/** Whether two config maps hold the same entries. */
export function configEqual(a: Config, b: Config): boolean {
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
