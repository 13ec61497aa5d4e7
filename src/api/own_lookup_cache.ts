/**
 * The call path's lookups on a node that owns its datastore (full node), cached like
 * Fn's (`api-v2.md` §8.7, at most 5 s) but dropped whenever this node writes an app, fn
 * or trigger, so the node's own updates are seen by the very next call. Writes made by
 * other nodes sharing the database are seen within 5 s, as in Fn.
 *
 * Two SQL lookups per call (fn, then app) are the largest cost of a hot call after the
 * container round trip; the cache takes them off the hot path.
 *
 * @module
 */

import type { Datastore } from "../datastore/datastore.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { Trigger } from "../models/trigger.ts";
import { CachedLookup } from "./cached_lookup.ts";
import type { EntityLookup } from "./route_context.ts";

/** A datastore whose writes clear the lookup cache, and the cached lookups. */
export interface OwnLookupCache {
  /** Use this for the /v2 handlers: every write through it clears the cache. */
  readonly datastore: Datastore;
  /** Use this for invoke and triggers. */
  readonly lookup: EntityLookup;
}

/** Whether a datastore method changes entities (insertApp, updateFn, removeTrigger, ...). */
function isWrite(name: string | symbol): boolean {
  return typeof name === "string" && /^(insert|update|remove)[A-Z]/.test(name);
}

/** Wraps `source` (see the module doc). */
export function ownLookupCache(source: Datastore): OwnLookupCache {
  let cache = new CachedLookup(source);
  const drop = () => (cache = new CachedLookup(source));
  const datastore = new Proxy(source, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (!isWrite(name)) return value.bind(target);
      return (...args: unknown[]) => {
        // Before and after: a lookup racing the write must not keep the old entity.
        drop();
        const result = value.apply(target, args) as Promise<unknown>;
        return result.finally(drop);
      };
    },
  });
  const lookup: EntityLookup = {
    getAppById: (id: string): Promise<App> => cache.getAppById(id),
    getAppByName: (name: string): Promise<App> => cache.getAppByName(name),
    getFnById: (id: string): Promise<Fn> => cache.getFnById(id),
    getTriggerBySource: (appId: string, type: string, src: string): Promise<Trigger> =>
      cache.getTriggerBySource(appId, type, src),
  };
  return { datastore, lookup };
}
