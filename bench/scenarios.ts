/**
 * The measurements: hot invoke latency and throughput at a concurrency, the same on a
 * function's socket directly, cold start, a large body through invoke, API creates and
 * a full listing. Every loop is bounded by a call count and a time budget.
 *
 * @module
 */

import { HttpConn, type Target } from "./http_conn.ts";
import { type LoadRequest, percentile, runLoad } from "./load.ts";
import { cpuMicrosOf, type Spread, spread } from "./stats.ts";

/** Bounds of the hot-call runs. */
export interface HotBounds {
  readonly runs: number;
  readonly warmupMs: number;
  readonly maxCalls: number;
  readonly maxMs: number;
}

/** Latency and throughput of repeated runs at one concurrency. */
export interface HotResult {
  readonly concurrency: number;
  readonly p50Us: Spread;
  readonly p99Us: Spread;
  readonly callsPerSecond: Spread;
  readonly calls: number;
  readonly errors: number;
  readonly firstError?: string;
  /** CPU time of the measured fnd processes per call, in µs (absent: not measured). */
  readonly cpuUsPerCall?: Spread;
  /** The pause after each call, when the run left the platform idle between calls. */
  readonly gapMs?: number;
}

/** `url` as a load target. */
export function targetOf(url: string): Target {
  const u = new URL(url);
  return { hostname: u.hostname, port: Number(u.port) };
}

/** What one bounded run measured (latencies in µs, sorted). */
export interface RunResult {
  readonly latenciesUs: Float64Array;
  readonly callsPerSecond: number;
  readonly calls: number;
  readonly errors: number;
  readonly firstError?: string;
}

/**
 * A warm-up, then `bounds.runs` runs of `run` (given its call and time bounds), summed
 * up as medians with min–max across runs.
 */
export async function measureRuns(
  concurrency: number,
  bounds: HotBounds,
  run: (maxCalls: number, maxMs: number) => Promise<RunResult>,
  cpuPids: readonly number[] = [],
): Promise<HotResult> {
  await run(1e9, bounds.warmupMs);
  const p50: number[] = [];
  const p99: number[] = [];
  const rate: number[] = [];
  const cpu: number[] = [];
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < bounds.runs; i++) {
    const cpuBefore = cpuPids.length > 0 ? await cpuMicrosOf(cpuPids) : 0;
    const r = await run(bounds.maxCalls, bounds.maxMs);
    if (cpuPids.length > 0 && r.calls > 0) {
      cpu.push((await cpuMicrosOf(cpuPids) - cpuBefore) / r.calls);
    }
    p50.push(percentile(r.latenciesUs, 50));
    p99.push(percentile(r.latenciesUs, 99));
    rate.push(r.callsPerSecond);
    calls += r.calls;
    errors += r.errors;
    firstError ??= r.firstError;
  }
  return {
    concurrency,
    p50Us: spread(p50),
    p99Us: spread(p99),
    callsPerSecond: spread(rate),
    calls,
    errors,
    ...(firstError ? { firstError } : {}),
    ...(cpu.length > 0 ? { cpuUsPerCall: spread(cpu) } : {}),
  };
}

/** How a hot measurement is run besides its bounds. */
export interface HotOptions {
  /** fnd processes whose CPU time per call is reported. */
  readonly cpuPids?: readonly number[];
  /** Pause after each call, in ms (see `LoadOptions.gapMs`). */
  readonly gapMs?: number;
}

/** A warm-up, then `runs` bounded runs of `request` at `concurrency`. */
export async function measureHot(
  target: Target,
  request: LoadRequest,
  concurrency: number,
  bounds: HotBounds,
  options: HotOptions = {},
): Promise<HotResult> {
  const gapMs = options.gapMs ?? 0;
  const result = await measureRuns(
    concurrency,
    bounds,
    (maxCalls, maxMs) => runLoad({ target, request, concurrency, maxCalls, maxMs, gapMs }),
    options.cpuPids,
  );
  return gapMs > 0 ? { ...result, gapMs } : result;
}

/** An invoke of fn `fnId` with a small body. */
export function invokeRequest(fnId: string): LoadRequest {
  return { method: "POST", path: `/invoke/${fnId}`, body: new TextEncoder().encode("bench") };
}

/** The request fnd itself sends a function (`POST /call`), per call a fresh id. */
export function directRequest(): LoadRequest {
  return {
    method: "POST",
    path: "/call",
    body: new TextEncoder().encode("bench"),
    headers: { "Fn-Deadline": new Date(Date.now() + 3_600_000).toISOString() },
    perCall: (i) => ({ "Fn-Call-Id": `bench${i}` }),
  };
}

/**
 * Time of the first call of new functions (image present, no container yet): `deploy`
 * makes a fresh fn and returns its id.
 */
export async function coldStarts(
  callUrl: string,
  deploy: (i: number) => Promise<string>,
  runs: number,
): Promise<Spread> {
  const ms: number[] = [];
  const conn = await HttpConn.open(targetOf(callUrl));
  try {
    for (let i = 0; i < runs; i++) {
      const fnId = await deploy(i);
      const t0 = performance.now();
      const res = await conn.request("POST", `/invoke/${fnId}`, {}, new TextEncoder().encode("x"));
      if (res.status !== 200) throw new Error(`cold call answered ${res.status}`);
      ms.push(performance.now() - t0);
    }
  } finally {
    conn.close();
  }
  return spread(ms);
}

/** Sends `bytes` through `/invoke` to an echoing function; MB/s (1 MB = 2^20 bytes). */
export async function bigBody(
  callUrl: string,
  fnId: string,
  bytes: number,
  runs: number,
): Promise<Spread> {
  const body = new Uint8Array(bytes).fill(120);
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const conn = await HttpConn.open(targetOf(callUrl));
    try {
      const t0 = performance.now();
      const res = await conn.request("POST", `/invoke/${fnId}`, { "x-mode": "echo" }, body);
      const s = (performance.now() - t0) / 1000;
      if (res.status !== 200 || res.bodyBytes !== bytes) {
        throw new Error(`echo answered ${res.status} with ${res.bodyBytes} bytes`);
      }
      rates.push(bytes / (1024 * 1024) / s);
    } finally {
      conn.close();
    }
  }
  return spread(rates);
}

/** Creates `count` fns in app `appId` over `concurrency` connections; creates/s. */
export async function apiCreates(
  apiUrl: string,
  appId: string,
  image: string,
  prefix: string,
  count: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    const conn = await HttpConn.open(targetOf(apiUrl));
    try {
      while (next < count) {
        const i = next++;
        const body = JSON.stringify({ "app_id": appId, name: `${prefix}-${i}`, image });
        const res = await conn.request("POST", "/v2/fns", {
          "content-type": "application/json",
        }, new TextEncoder().encode(body));
        if (res.status !== 200) throw new Error(`create fn answered ${res.status}`);
      }
    } finally {
      conn.close();
    }
  }));
  return count / ((performance.now() - t0) / 1000);
}

/** Lists every fn of `appId` page by page (100 per page); ms and how many were seen. */
export async function listAll(apiUrl: string, appId: string): Promise<{ ms: number; fns: number }> {
  const conn = await HttpConn.open(targetOf(apiUrl));
  let fns = 0;
  let cursor = "";
  const t0 = performance.now();
  try {
    do {
      const q = `/v2/fns?app_id=${appId}&per_page=100${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await conn.request("GET", q, {}, undefined, true);
      if (res.status !== 200) throw new Error(`list answered ${res.status}`);
      const page = JSON.parse(new TextDecoder().decode(res.body)) as {
        items: unknown[];
        "next_cursor"?: string;
      };
      fns += page.items.length;
      cursor = page.next_cursor ? encodeURIComponent(page.next_cursor) : "";
    } while (cursor !== "");
  } finally {
    conn.close();
  }
  return { ms: performance.now() - t0, fns };
}
