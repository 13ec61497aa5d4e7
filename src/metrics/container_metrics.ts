/**
 * Container lifecycle metrics of the local agent, per function: launches (and how long
 * they took: image check, create, start, until the function is ready), and why
 * containers were removed: Fn's `fn_container_evictions`, plus idle timeouts and
 * crashes (the container exited on its own).
 *
 * @module
 */

import type client from "prom-client";
import type { ContainerExit } from "../agent/container.ts";
import { registry as sharedRegistry } from "./registry.ts";
import { counter, FINE_LATENCY_BUCKETS_MS, histogram } from "./families.ts";

type IdLabels = "app_id" | "fn_id";

/** The ids a container is counted under. */
export interface ContainerIds {
  readonly appId: string;
  readonly fnId: string;
}

/** Why a container was removed, as far as metrics care. */
export type RemovalKind = "evicted" | "idle timeout" | "crashed";

/** The container lifecycle families on one registry. */
export class ContainerMetrics {
  readonly launches: client.Counter<IdLabels | "result">;
  readonly launchLatency: client.Histogram<IdLabels>;
  readonly evictions: client.Counter<IdLabels>;
  readonly idleTimeouts: client.Counter<IdLabels>;
  readonly crashes: client.Counter<IdLabels>;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    const ids: IdLabels[] = ["app_id", "fn_id"];
    this.launches = counter(
      registry,
      "fn_container_launches",
      "Container launches by result (ok, failed)",
      [...ids, "result"],
    );
    this.launchLatency = histogram(
      registry,
      "fn_container_launch_latency",
      "Time in ms from a launch decision until the container was ready for calls",
      FINE_LATENCY_BUCKETS_MS,
      ids,
    );
    this.evictions = counter(
      registry,
      "fn_container_evictions",
      "containers evicted to make room for other functions",
      ids,
    );
    this.idleTimeouts = counter(
      registry,
      "fn_container_idle_timeouts",
      "containers removed after idling for their function's idle_timeout",
      ids,
    );
    this.crashes = counter(
      registry,
      "fn_container_crashes",
      "containers that exited on their own",
      ids,
    );
  }

  /** Counts a launch that finished after `ms`; `ok` false when it failed. */
  launched(ids: ContainerIds, ok: boolean, ms: number): void {
    const labels = { "app_id": ids.appId, "fn_id": ids.fnId };
    this.launches.inc({ ...labels, result: ok ? "ok" : "failed" });
    if (ok) this.launchLatency.observe(labels, ms);
  }

  /** Counts a removed container by why it went. */
  removed(ids: ContainerIds, kind: RemovalKind): void {
    const labels = { "app_id": ids.appId, "fn_id": ids.fnId };
    if (kind === "evicted") this.evictions.inc(labels);
    else if (kind === "idle timeout") this.idleTimeouts.inc(labels);
    else if (kind === "crashed") this.crashes.inc(labels);
  }
}

/** Exit code of a container that fnd itself killed (SIGKILL, `docker rm -f`). */
const KILLED_BY_FND = 137;

/**
 * Whether a removed container had crashed: it exited with a code fnd's own kill does not
 * give, or the OOM killer ended it. Single-use (`default` format) containers exit after
 * every call by design, and containers removed for shutdown never count.
 */
export function isCrash(reason: string, exit: ContainerExit, singleUse: boolean): boolean {
  if (singleUse || reason === "shutdown" || reason === "killed") return false;
  if (exit.oomKilled) return true;
  return exit.exitCode !== undefined && exit.exitCode !== KILLED_BY_FND;
}

let shared: ContainerMetrics | undefined;

/** The process-wide {@linkcode ContainerMetrics} on the shared registry. */
export function containerMetrics(): ContainerMetrics {
  shared ??= new ContainerMetrics();
  return shared;
}

/**
 * Counts the removal of a container of `spec` by its container life's retire reason;
 * crashes are told from how it exited (`exited` settles once it is gone).
 */
export function countRemoval(
  spec: ContainerIds & { readonly format: string },
  reason: string,
  exited: Promise<ContainerExit>,
): void {
  const metrics = containerMetrics();
  if (reason === "evicted") return metrics.removed(spec, "evicted");
  if (reason === "idle timeout") return metrics.removed(spec, "idle timeout");
  exited.then((exit) => {
    if (isCrash(reason, exit, spec.format === "default")) metrics.removed(spec, "crashed");
  }, () => {});
}

/** Counts `launch` (of a container for `ids`) when it settles; returns it unchanged. */
export function trackLaunch<T>(ids: ContainerIds, launch: Promise<T>): Promise<T> {
  const started = performance.now();
  const metrics = containerMetrics();
  launch.then(
    () => metrics.launched(ids, true, performance.now() - started),
    () => metrics.launched(ids, false, performance.now() - started),
  );
  return launch;
}
