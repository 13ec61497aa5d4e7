/**
 * The bench report: one JSON document with every run, and a Markdown summary (medians
 * with min–max) that is printed and written next to it as `bench/results/<date>.{json,md}`.
 *
 * @module
 */

import type { HotResult } from "./scenarios.ts";
import { formatSpread, type Spread } from "./stats.ts";

/** Memory of one process, idle and after load. */
export interface ProcessMemory {
  readonly role: string;
  readonly idleMiB?: number;
  readonly loadedMiB?: number;
  readonly peakMiB?: number;
}

/** Everything measured (absent parts were not run; `notRun` says why). */
export interface BenchResults {
  readonly date: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly direct: readonly HotResult[];
  /** A minimal Deno relay to the function (absent in results written before it existed). */
  readonly relay?: readonly HotResult[];
  /** Bare gRPC Engage round trips (absent in results written before it existed). */
  readonly engage?: readonly HotResult[];
  readonly full: readonly HotResult[];
  readonly lb: readonly HotResult[];
  readonly coldStartMs?: Spread;
  readonly bigBody?: {
    readonly mib: number;
    readonly mbPerSecond: Spread;
    readonly peakMiB?: number;
  };
  readonly api?: {
    readonly createsPerSecond: Spread;
    readonly listMs: Spread;
    readonly fns: number;
  };
  readonly memory: readonly ProcessMemory[];
  readonly notRun: Readonly<Record<string, string>>;
  readonly durationS: number;
}

const us = (s: Spread) => formatSpread(s);
/** The back-to-back row at concurrency `c` (not the one with pauses between calls). */
const at = (rows: readonly HotResult[], c: number) =>
  rows.find((r) => r.concurrency === c && r.gapMs === undefined);

function hotRows(name: string, rows: readonly HotResult[], notRun?: string): string[] {
  if (rows.length === 0) return [`| ${name} | – | not run: ${notRun ?? "?"} | | | | |`];
  return rows.map((r) =>
    `| ${name} | ${r.concurrency}${r.gapMs ? `, calls ${r.gapMs} ms apart` : ""} | ${
      us(r.p50Us)
    } | ${us(r.p99Us)} | ${formatSpread(r.callsPerSecond)} | ${
      r.cpuUsPerCall ? us(r.cpuUsPerCall) : "–"
    } | ${r.errors > 0 ? `${r.errors} (${r.firstError})` : 0} |`
  );
}

function overheadRows(res: BenchResults): string[] {
  const rows: string[] = [];
  for (const c of [1, 16]) {
    const d = at(res.direct, c);
    const f = at(res.full, c);
    if (d && f) {
      const extra = f.p50Us.median - d.p50Us.median;
      rows.push(
        `| fnd platform time per call, c=${c} (full p50 − direct p50) | ${extra.toFixed(0)} µs, ` +
          `×${(f.p50Us.median / d.p50Us.median).toFixed(2)} latency; ` +
          `throughput ×${(f.callsPerSecond.median / d.callsPerSecond.median).toFixed(2)} |`,
      );
    }
    const r = at(res.relay ?? [], c);
    if (r && f) {
      rows.push(
        `| fnd's own call path, c=${c} (full p50 − minimal relay p50) | ${
          (f.p50Us.median - r.p50Us.median).toFixed(0)
        } µs${
          f.cpuUsPerCall && r.cpuUsPerCall
            ? `; CPU ${(f.cpuUsPerCall.median - r.cpuUsPerCall.median).toFixed(0)} µs per call`
            : ""
        } |`,
      );
    }
    const l = at(res.lb, c);
    if (f && l) {
      const extra = l.p50Us.median - f.p50Us.median;
      const e = at(res.engage ?? [], c);
      const floor = e === undefined
        ? ""
        : `, of which one bare gRPC Engage round trip ${e.p50Us.median.toFixed(0)} µs ` +
          `(the rest, fnd's LB + runner work and their wake-ups: ${
            (extra - e.p50Us.median).toFixed(0)
          } µs)`;
      rows.push(
        `| LB + runner extra over full node, c=${c} (p50) | ${extra.toFixed(0)} µs${floor} |`,
      );
    }
  }
  return rows;
}

/** The Markdown summary. */
export function markdown(res: BenchResults): string {
  const lines = [
    `# fnd bench ${res.date}`,
    "",
    `Machine: ${Object.entries(res.machine).map(([k, v]) => `${k} ${v}`).join(", ")}. ` +
    `Medians of the runs, (min–max) across runs. Bench took ${res.durationS.toFixed(0)} s.`,
    "",
    "## Hot invoke (node-FDK hello)",
    "",
    "fnd CPU: user + system time of the fnd processes (all four for LB + runners) per call.",
    "",
    "| path | concurrency | p50 µs | p99 µs | calls/s | fnd CPU µs/call | errors |",
    "|---|---|---|---|---|---|---|",
    ...hotRows("direct to the function's socket (no platform)", res.direct, res.notRun.direct),
    ...hotRows(
      "minimal Deno relay to the socket (no platform logic)",
      res.relay ?? [],
      res.notRun.relay,
    ),
    ...hotRows(
      "bare gRPC Engage round trip (grpc-js, no platform)",
      res.engage ?? [],
      res.notRun.engage,
    ),
    ...hotRows("full node", res.full, res.notRun.full),
    ...hotRows("LB + 2 pure runners", res.lb, res.notRun.lb),
    "",
    "## Derived and other measurements",
    "",
    "| measurement | value |",
    "|---|---|",
    ...overheadRows(res),
    res.coldStartMs
      ? `| cold start (first call of a new fn, image present) | ${us(res.coldStartMs)} ms |`
      : `| cold start | not run: ${res.notRun.cold ?? "?"} |`,
    res.bigBody
      ? `| ${res.bigBody.mib} MiB body through /invoke (echoed back) | ${
        formatSpread(res.bigBody.mbPerSecond, 1)
      } MB/s; full node peak RSS ${res.bigBody.peakMiB?.toFixed(0) ?? "?"} MiB |`
      : `| large body | not run: ${res.notRun.bigBody ?? "?"} |`,
    res.api
      ? `| API creates (POST /v2/fns, 8 connections) | ${
        formatSpread(res.api.createsPerSecond)
      } /s |\n| full listing of ${res.api.fns} fns (100 per page) | ${us(res.api.listMs)} ms |`
      : `| API | not run: ${res.notRun.api ?? "?"} |`,
    "",
    "## Memory (RSS, MiB)",
    "",
    "| process | idle | loaded | peak |",
    "|---|---|---|---|",
    ...res.memory.map((m) =>
      `| ${m.role} | ${m.idleMiB?.toFixed(0) ?? "–"} | ${m.loadedMiB?.toFixed(0) ?? "–"} | ${
        m.peakMiB?.toFixed(0) ?? "–"
      } |`
    ),
    "",
  ];
  return lines.join("\n");
}

/** Writes `<dir>/<date>.json` and `.md`; returns their paths. */
export async function writeReport(dir: string, res: BenchResults): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const base = `${dir}/${res.date}`;
  const json = JSON.stringify(
    res,
    (_k, v) => v instanceof Float64Array ? undefined : v,
    2,
  );
  await Deno.writeTextFile(`${base}.json`, json + "\n");
  await Deno.writeTextFile(`${base}.md`, markdown(res));
  return [`${base}.json`, `${base}.md`];
}
