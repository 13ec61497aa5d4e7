/**
 * Everything about a call that decides which containers can serve it: the container
 * spec (less its fresh id), the resources it reserves, its idle timeout and the slot
 * key that groups interchangeable containers.
 *
 * @module
 */

import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { buildContainerEnv, functionFormat } from "./call_env.ts";
import type { ContainerSpec } from "./container.ts";
import type { ResourceNeed } from "./resource_tracker.ts";
import { slotKey } from "./slot_key.ts";

/** The shared shape of the containers of one slot queue. */
export interface ContainerTemplate {
  /** Slot key (hex SHA-256). */
  readonly key: string;
  /** The spec every container of the queue gets; each adds a fresh `id`. */
  readonly spec: Omit<ContainerSpec, "id">;
  /** What each container reserves for its life. */
  readonly need: ResourceNeed;
  readonly idleTimeoutMs: number;
  readonly timeoutMs: number;
}

/** Templates by fn object (entities are immutable; cached lookups hand out the same ones). */
const templates = new WeakMap<Fn, { readonly app: App; readonly template: ContainerTemplate }>();

/**
 * The template for calls of `fn` in `app`, built once per pair of entity objects.
 *
 * @throws {APIError} 400 when the `fnd.io/format` annotation is invalid
 */
export function containerTemplate(app: App, fn: Fn): ContainerTemplate {
  const known = templates.get(fn);
  if (known !== undefined && known.app === app) return known.template;
  const template = buildTemplate(app, fn);
  templates.set(fn, { app, template });
  return template;
}

function buildTemplate(app: App, fn: Fn): ContainerTemplate {
  const format = functionFormat(fn);
  const env = buildContainerEnv(app, fn, format);
  // Fn's HTTP entry points never set CPUs, so no quota is applied (agent.md §2.3).
  const cpuMillis = 0;
  const spec: Omit<ContainerSpec, "id"> = {
    appId: app.id,
    appName: app.name,
    fnId: fn.id,
    fnName: fn.name,
    image: fn.image,
    env,
    memoryMb: fn.memoryMb,
    cpuMillis,
    format,
    ...(app.syslogUrl ? { syslogUrl: app.syslogUrl } : {}),
  };
  const key = slotKey({
    appId: app.id,
    fnId: fn.id,
    image: fn.image,
    ...(app.syslogUrl ? { syslogUrl: app.syslogUrl } : {}),
    timeoutSeconds: fn.timeoutSeconds,
    idleTimeoutSeconds: fn.idleTimeoutSeconds,
    memoryMb: fn.memoryMb,
    cpuMillis,
    env,
    annotations: fn.annotations,
    format,
  });
  return {
    key,
    spec,
    need: { memoryMb: fn.memoryMb, cpuMillis },
    idleTimeoutMs: fn.idleTimeoutSeconds * 1000,
    timeoutMs: fn.timeoutSeconds * 1000,
  };
}
