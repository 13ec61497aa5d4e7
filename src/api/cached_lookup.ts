/**
 * An optional cache in front of the call path's entity lookups (`api-v2.md` §8.7): apps
 * by id and by name, fns by id and triggers by (app, type, source), each kept for at
 * most 5 s; only successful lookups are cached. Meant for LB nodes whose lookups cross
 * the network; a full node reads its own datastore and skips it, so an update is seen by
 * the very next call.
 *
 * @module
 */

import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import type { EntityLookup } from "./route_context.ts";

/** Fn's lookup cache lifetime, also the longest allowed. */
export const MAX_LOOKUP_TTL_MS = 5000;

/** Options for {@linkcode CachedLookup}. */
export interface CachedLookupOptions {
  /** How long an entry lives. @default {5000} */
  readonly ttlMs?: number;
  /** Entries kept at most; the oldest go first. @default {10000} */
  readonly maxEntries?: number;
  /** The clock (tests). @default {Date.now} */
  readonly now?: () => number;
}

interface Entry {
  readonly expiresAt: number;
  readonly value: Promise<unknown>;
}

/** Caches another {@linkcode EntityLookup}'s successful answers for a few seconds. */
export class CachedLookup implements EntityLookup {
  readonly #source: EntityLookup;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  /** @throws {RangeError} when `ttlMs` is outside 0..5000 or `maxEntries` is not positive */
  constructor(source: EntityLookup, options: CachedLookupOptions = {}) {
    const ttlMs = options.ttlMs ?? MAX_LOOKUP_TTL_MS;
    if (!(ttlMs >= 0 && ttlMs <= MAX_LOOKUP_TTL_MS)) {
      throw new RangeError(
        `Cannot cache lookups as 'ttlMs' must be between 0 and ${MAX_LOOKUP_TTL_MS}: current value is ${ttlMs}`,
      );
    }
    const maxEntries = options.maxEntries ?? 10_000;
    if (!(maxEntries > 0)) {
      throw new RangeError(
        `Cannot cache lookups as 'maxEntries' must be positive: current value is ${maxEntries}`,
      );
    }
    this.#source = source;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = options.now ?? Date.now;
  }

  getAppById(id: string): Promise<App> {
    return this.#cached(`app:${id}`, () => this.#source.getAppById(id));
  }

  getAppByName(name: string): Promise<App> {
    return this.#cached(`appname:${name}`, () => this.#source.getAppByName(name));
  }

  getFnById(id: string): Promise<Fn> {
    return this.#cached(`fn:${id}`, () => this.#source.getFnById(id));
  }

  getTriggerBySource(appId: string, type: string, source: string): Promise<Trigger> {
    return this.#cached(
      `trigger:${appId}\0${type}\0${source}`,
      () => this.#source.getTriggerBySource(appId, type, source),
    );
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value as Promise<T>;
    const value = load();
    // Concurrent lookups of one key share the load; a failure is not remembered.
    this.#entries.delete(key);
    this.#entries.set(key, { expiresAt: now + this.#ttlMs, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }
}
