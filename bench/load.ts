/**
 * The load generator: `concurrency` workers, each on its own kept-alive connection,
 * sending requests back to back until `maxCalls` calls are done or `maxMs` has passed,
 * recording every call's latency.
 *
 * @module
 */

import { type HttpAnswer, HttpConn, type Target } from "./http_conn.ts";

/** One request to send (the same for every call of a run). */
export interface LoadRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Per-call headers (e.g. a fresh call id), merged over `headers`. */
  readonly perCall?: (i: number) => Readonly<Record<string, string>>;
}

/** Bounds and shape of one run. */
export interface LoadOptions {
  readonly target: Target;
  readonly request: LoadRequest;
  readonly concurrency: number;
  readonly maxCalls: number;
  readonly maxMs: number;
  /** Statuses that count as success. @default {[200]} */
  readonly okStatuses?: readonly number[];
  /** Pause after each call, in ms (calls that find the platform idle). @default {0} */
  readonly gapMs?: number;
}

/** What a run measured. */
export interface LoadResult {
  /** Latency of each successful call, in µs, sorted. */
  readonly latenciesUs: Float64Array;
  readonly calls: number;
  readonly errors: number;
  /** The first error seen, for the report. */
  readonly firstError?: string;
  readonly durationMs: number;
  /** Successful calls per second. */
  readonly callsPerSecond: number;
}

/** Runs one bounded load. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const ok = new Set(o.okStatuses ?? [200]);
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const begin = performance.now();
  const deadline = begin + o.maxMs;
  const worker = async () => {
    let conn: HttpConn | undefined;
    try {
      while (started < o.maxCalls && performance.now() < deadline) {
        const i = started++;
        const headers = o.request.perCall
          ? { ...o.request.headers, ...o.request.perCall(i) }
          : o.request.headers;
        conn ??= await HttpConn.open(o.target);
        const t0 = performance.now();
        let answer: HttpAnswer;
        try {
          answer = await conn.request(o.request.method, o.request.path, headers, o.request.body);
        } catch (err) {
          errors++;
          firstError ??= String(err);
          conn.close();
          conn = undefined;
          continue;
        }
        const us = (performance.now() - t0) * 1000;
        if (ok.has(answer.status)) latencies.push(us);
        else {
          errors++;
          firstError ??= `status ${answer.status}`;
        }
        if (o.gapMs) await new Promise((resolve) => setTimeout(resolve, o.gapMs));
      }
    } finally {
      conn?.close();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const durationMs = performance.now() - begin;
  const sorted = Float64Array.from(latencies).sort();
  return {
    latenciesUs: sorted,
    calls: latencies.length + errors,
    errors,
    ...(firstError ? { firstError } : {}),
    durationMs,
    callsPerSecond: latencies.length / (durationMs / 1000),
  };
}

/** The `p`-th percentile (0–100) of sorted values, nearest rank; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
