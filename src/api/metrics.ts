/**
 * `GET /metrics` (`api-v2.md` §9): the shared Prometheus registry in text format.
 *
 * @module
 */

import { renderMetrics } from "../metrics/registry.ts";

/** Renders the metrics. */
export async function getMetrics(): Promise<Response> {
  const { body, contentType } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType } });
}
