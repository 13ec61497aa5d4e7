/**
 * Image pulls of the local agent: `fn_image_pulls{result}` (ok, failed) and the
 * `fn_image_pull_latency` histogram (ms). Concurrent pulls of one image are merged by
 * the puller and count once. Image names are not labels: users choose them.
 *
 * @module
 */

import type client from "prom-client";
import { registry as sharedRegistry } from "./registry.ts";
import { counter, histogram, LATENCY_BUCKETS_MS } from "./families.ts";

/** The image pull families on one registry. */
export class ImageMetrics {
  readonly pulls: client.Counter<"result">;
  readonly pullLatency: client.Histogram<"result">;

  /** Registers (or reuses) the families on `registry`. */
  constructor(registry: client.Registry = sharedRegistry) {
    this.pulls = counter(registry, "fn_image_pulls", "Image pulls by result (ok, failed)", [
      "result",
    ]);
    this.pullLatency = histogram(
      registry,
      "fn_image_pull_latency",
      "Time in ms an image pull took, by result",
      LATENCY_BUCKETS_MS,
      ["result"],
    );
  }

  /** Counts `pull` when it settles, with its duration; returns `pull` unchanged. */
  track<T>(pull: Promise<T>): Promise<T> {
    const started = performance.now();
    const record = (result: "ok" | "failed") => {
      this.pulls.inc({ result });
      this.pullLatency.observe({ result }, performance.now() - started);
    };
    pull.then(() => record("ok"), () => record("failed"));
    return pull;
  }
}

let shared: ImageMetrics | undefined;

/** The process-wide {@linkcode ImageMetrics} on the shared registry. */
export function imageMetrics(): ImageMetrics {
  shared ??= new ImageMetrics();
  return shared;
}
