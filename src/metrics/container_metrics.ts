/**
 * Container lifecycle metrics of the local agent, per function: launches (and how long
 * they took: image check, create, start, until the function is ready), and why
 * containers were removed: Fn's `fn_container_evictions`, plus idle timeouts and
 * crashes (the container exited on its own).
 *
 * @module
 */

import type client from "prom-client";
import { registry as sharedRegistry } from "./registry.ts";
import { counter, FINE_LATENCY_BUCKETS_MS, histogram } from "./families.ts";

type IdLabels = "app_id" | "fn_id";

/** The ids a container is counted under. */
export interface ContainerIds {
  readonly appId: string;
  readonly fnId: string;
}

/** Why a container was removed, as far as metrics care. */
export type RemovalKind = "evicted" | "idle timeout" | "crashed" | "other";

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

/**
 * Tells a removal's kind from the container life's retire reason and whether the
 * container had exited by itself. Single-use (`default` format) containers exit after
 * every call by design and never count as crashed.
 */
export function removalKind(
  reason: string,
  exitedOnItsOwn: boolean,
  singleUse: boolean,
): RemovalKind {
  if (reason === "evicted") return "evicted";
  if (reason === "idle timeout") return "idle timeout";
  if (exitedOnItsOwn && !singleUse && reason !== "shutdown" && reason !== "killed") {
    return "crashed";
  }
  return "other";
}

let shared: ContainerMetrics | undefined;

/** The process-wide {@linkcode ContainerMetrics} on the shared registry. */
export function containerMetrics(): ContainerMetrics {
  shared ??= new ContainerMetrics();
  return shared;
}

/**
 * Counts the removal of a container of `spec` (a container life's retire reason, and
 * whether it had exited by itself before the removal started).
 */
export function countRemoval(
  spec: ContainerIds & { readonly format: string },
  reason: string,
  exitedOnItsOwn: boolean,
): void {
  containerMetrics().removed(spec, removalKind(reason, exitedOnItsOwn, spec.format === "default"));
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
