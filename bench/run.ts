/**
 * `deno task bench`: starts what it measures on loopback (a full node on temp SQLite; an
 * api node, two pure runners and an LB; a bare function container), measures hot
 * invoke latency and throughput at concurrency 1 and 16 on each, fnd's overhead over
 * the bare function socket, cold start, a 10 MiB body, API creates and a listing of
 * 10 000 fns, and the processes' memory; writes `bench/results/<date>.{json,md}` and
 * prints the table. Every loop is bounded; the whole run stays under 10 minutes.
 *
 * Environment: `BENCH_RUNS` (runs per measurement, default 3), `BENCH_QUICK=1` (short
 * runs, for trying the bench itself).
 *
 * @module
 */

import { ensureTestImages } from "../tests/_images.ts";
import { removeBenchLeftovers, startDirectContainer } from "./direct_container.ts";
import { startChildServer } from "./child_server.ts";
import { measureEngage, startEngageEcho } from "./engage_floor.ts";
import { type BenchResults, markdown, type ProcessMemory, writeReport } from "./report.ts";
import {
  apiCreates,
  bigBody,
  coldStarts,
  directRequest,
  type HotBounds,
  type HotResult,
  invokeRequest,
  listAll,
  measureHot,
  targetOf,
} from "./scenarios.ts";
import { memoryOf, resetPeak, spread } from "./stats.ts";
import { deployFn, startFullNode, startScaleOut, type Topology } from "./topology.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);
const QUICK = Deno.env.get("BENCH_QUICK") === "1";
/** Stop starting new sections after this long, so the run ends within 10 minutes. */
const BUDGET_MS = 8 * 60_000;
const FNS_TO_LIST = QUICK ? 1000 : 10_000;

function bounds(concurrency: number): HotBounds {
  const scale = QUICK ? 0.3 : 1;
  return concurrency === 1
    ? { runs: RUNS, warmupMs: 1500 * scale, maxCalls: 5000, maxMs: 3000 * scale }
    : { runs: RUNS, warmupMs: 3000 * scale, maxCalls: 40_000, maxMs: 4000 * scale };
}

const began = performance.now();
const overBudget = () => performance.now() - began > BUDGET_MS;
const encoder = new TextEncoder();

let currentStep = "start";
/** The bench's hard limit: a stuck step ends the run with an error instead of a hang. */
const HARD_LIMIT_MS = 9.5 * 60_000;

function log(message: string): void {
  currentStep = message;
  Deno.stderr.writeSync(
    encoder.encode(`[bench ${((performance.now() - began) / 1000).toFixed(0)}s] ${message}\n`),
  );
}

async function memory(
  top: Topology,
  key: "idleMiB" | "loadedMiB",
  into: Map<string, ProcessMemory>,
) {
  for (const p of top.processes) {
    const m = await memoryOf(p.proc.pid);
    const prev = into.get(p.role) ?? { role: p.role };
    into.set(p.role, { ...prev, [key]: m.rssMiB, peakMiB: m.peakMiB });
  }
}

/** Pause between the calls of the idle-platform run, in ms. */
const GAP_MS = 2;

/**
 * Hot calls at concurrency 1 and 16, then at concurrency 1 with {@linkcode GAP_MS}
 * between calls (each call finds the processes idle), with the CPU time of `top`'s
 * processes per call.
 */
async function hotRuns(top: Topology, fnId: string, label: string): Promise<HotResult[]> {
  const out: HotResult[] = [];
  const cpuPids = top.processes.map((p) => p.proc.pid);
  const target = targetOf(top.callUrl);
  for (const c of [1, 16]) {
    log(`${label}: hot calls at concurrency ${c}`);
    out.push(await measureHot(target, invokeRequest(fnId), c, bounds(c), { cpuPids }));
  }
  log(`${label}: calls ${GAP_MS} ms apart`);
  const paced = { ...bounds(1), warmupMs: 300, maxCalls: 1000 };
  out.push(await measureHot(target, invokeRequest(fnId), 1, paced, { cpuPids, gapMs: GAP_MS }));
  return out;
}

/**
 * The function alone on its socket, then behind the least a Deno server can do
 * (`relay_server.ts`): the two floors fnd's call path is measured against.
 */
async function benchDirect(image: string): Promise<{ direct: HotResult[]; relay: HotResult[] }> {
  await using direct = await startDirectContainer(image);
  const out = { direct: [] as HotResult[], relay: [] as HotResult[] };
  for (const c of [1, 16]) {
    log(`direct socket: concurrency ${c}`);
    out.direct.push(await measureHot({ path: direct.socketPath }, directRequest(), c, bounds(c)));
  }
  await using relay = await startChildServer(
    new URL("./relay_server.ts", import.meta.url),
    [direct.socketPath],
  );
  for (const c of [1, 16]) {
    log(`minimal Deno relay: concurrency ${c}`);
    const target = targetOf(`http://${relay.address}`);
    const request = invokeRequest("relay");
    out.relay.push(await measureHot(target, request, c, bounds(c), { cpuPids: [relay.pid] }));
  }
  return out;
}

/** The LB → runner hop alone: Engage streams against a server that answers at once. */
async function benchEngageFloor(): Promise<HotResult[]> {
  await using echo = await startEngageEcho();
  const out: HotResult[] = [];
  for (const c of [1, 16]) {
    log(`bare gRPC Engage round trip: concurrency ${c}`);
    out.push(await measureEngage(echo.address, c, bounds(c)));
  }
  return out;
}

interface FullResults {
  readonly hot: HotResult[];
  readonly cold?: BenchResults["coldStartMs"];
  readonly big?: BenchResults["bigBody"];
  readonly api?: BenchResults["api"];
}

async function benchFull(
  images: Record<string, string>,
  mem: Map<string, ProcessMemory>,
  notRun: Record<string, string>,
): Promise<FullResults> {
  log("starting a full node");
  await using top = await startFullNode();
  const fnId = await deployFn(top.apiUrl, images.hello!, "bench", "hello");
  await memory(top, "idleMiB", mem);
  const hot = await hotRuns(top, fnId, "full node");
  await memory(top, "loadedMiB", mem);
  const cold = await section("cold", notRun, "cold starts", () =>
    coldStarts(
      top.callUrl,
      (i) => deployFn(top.apiUrl, images.hello!, "bench", `cold${i}`),
      QUICK ? 2 : 5,
    ));
  const big = await section("bigBody", notRun, "10 MiB bodies", async () => {
    const echo = await deployFn(top.apiUrl, images["raw-http"]!, "bench", "echo");
    const pid = top.processes[0]!.proc.pid;
    await resetPeak(pid);
    const rate = await bigBody(top.callUrl, echo, 10 * 1024 * 1024, RUNS);
    return { mib: 10, mbPerSecond: rate, peakMiB: (await memoryOf(pid)).peakMiB };
  });
  const api = await section(
    "api",
    notRun,
    `API: creating ${FNS_TO_LIST} fns, then listing them`,
    () => benchApi(top.apiUrl, images.hello!),
  );
  return {
    hot,
    ...(cold ? { cold } : {}),
    ...(big ? { big } : {}),
    ...(api ? { api } : {}),
  };
}

/** Runs one section; a failure is reported as "not run" instead of ending the bench. */
async function section<T>(
  key: string,
  notRun: Record<string, string>,
  title: string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  if (overBudget()) {
    notRun[key] = "time budget used up";
    return undefined;
  }
  log(title);
  try {
    return await run();
  } catch (err) {
    notRun[key] = `failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    log(`${title}: ${notRun[key]}`);
    return undefined;
  }
}

async function benchApi(apiUrl: string, image: string): Promise<NonNullable<BenchResults["api"]>> {
  const appId = await appIdOf(apiUrl, "bench-list");
  const createRuns: number[] = [];
  const per = FNS_TO_LIST / 5;
  for (let i = 0; i < 5; i++) {
    createRuns.push(await apiCreates(apiUrl, appId, image, `f${i}`, per, 8));
  }
  const lists: number[] = [];
  let fns = 0;
  for (let i = 0; i < RUNS; i++) {
    const l = await listAll(apiUrl, appId);
    lists.push(l.ms);
    fns = l.fns;
  }
  return { createsPerSecond: spread(createRuns), listMs: spread(lists), fns };
}

async function appIdOf(apiUrl: string, name: string): Promise<string> {
  const res = await fetch(`${apiUrl}/v2/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  return (await res.json()).id;
}

async function benchScaleOut(
  image: string,
  mem: Map<string, ProcessMemory>,
): Promise<HotResult[]> {
  log("starting an api node, two pure runners and an LB");
  await using top = await startScaleOut();
  const fnId = await deployFn(top.apiUrl, image, "bench", "hello");
  await memory(top, "idleMiB", mem);
  const hot = await hotRuns(top, fnId, "LB + runners");
  await memory(top, "loadedMiB", mem);
  return hot;
}

async function machine(): Promise<Record<string, string | number>> {
  const docker = await new Deno.Command("docker", {
    args: ["version", "--format", "{{.Server.Version}}"],
    stdout: "piped",
    stderr: "null",
  }).output().then((o) => new TextDecoder().decode(o.stdout).trim(), () => "?");
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  return {
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    docker,
    "load average at the end (other work on the machine skews results)": load,
  };
}

async function main(): Promise<void> {
  await removeBenchLeftovers();
  log("building (or finding) the test images");
  const images = await ensureTestImages();
  const notRun: Record<string, string> = {};
  const mem = new Map<string, ProcessMemory>();
  const { direct, relay } = await benchDirect(images.hello);
  const engage = await section("engage", notRun, "bare gRPC Engage", benchEngageFloor) ?? [];
  const full = await benchFull(images, mem, notRun);
  let lb: HotResult[] = [];
  if (overBudget()) notRun.lb = "time budget used up";
  else {
    try {
      lb = await benchScaleOut(images.hello, mem);
    } catch (err) {
      notRun.lb = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    }
  }
  const results: BenchResults = {
    date: new Date().toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z"),
    machine: await machine(),
    direct,
    relay,
    engage,
    full: full.hot,
    lb,
    ...(full.cold ? { coldStartMs: full.cold } : {}),
    ...(full.big ? { bigBody: full.big } : {}),
    ...(full.api ? { api: full.api } : {}),
    memory: [...mem.values()],
    notRun,
    durationS: (performance.now() - began) / 1000,
  };
  const files = await writeReport(new URL("./results", import.meta.url).pathname, results);
  Deno.stdout.writeSync(encoder.encode(markdown(results) + "\n"));
  log(`wrote ${files.join(" and ")}`);
}

if (import.meta.main) {
  // Also keeps the event loop alive: a step waiting on nothing fails loudly, not silently.
  const watchdog = setInterval(() => {
    if (performance.now() - began < HARD_LIMIT_MS) return;
    Deno.stderr.writeSync(encoder.encode(`bench: stuck in "${currentStep}" past the time limit\n`));
    Deno.exit(1);
  }, 1000);
  try {
    await main();
  } finally {
    clearInterval(watchdog);
    await removeBenchLeftovers();
  }
}
