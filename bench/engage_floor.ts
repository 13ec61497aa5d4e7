/**
 * The floor of the LB → runner hop: one `Engage` stream per call, as fnd's LB sends it
 * (`TryCall`, the body in one frame, an empty EOF frame), against a server in its own
 * process that answers at once (`engage_echo_server.ts`). No platform on either side:
 * what this costs, every LB + runner call pays in grpc-js and Deno's `node:http2`.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { newRunnerClient, type RunnerProtocolClient } from "../src/grpc/runner_proto.ts";
import { type ChildServer, startChildServer } from "./child_server.ts";
import { type HotBounds, type HotResult, measureRuns, type RunResult } from "./scenarios.ts";

/** Starts `engage_echo_server.ts` and resolves once it listens. */
export function startEngageEcho(): Promise<ChildServer> {
  return startChildServer(new URL("./engage_echo_server.ts", import.meta.url));
}

const BODY = new TextEncoder().encode("bench");
const TRY = { try: { modelsCallJson: "{}", slotHashId: "", extensions: {} } };

/** One Engage round trip; resolves with its status code. */
function engageOnce(client: RunnerProtocolClient): Promise<grpc.status> {
  return new Promise((resolve) => {
    const stream = client.engage();
    stream.on("data", () => {});
    stream.on("error", () => {});
    stream.on("status", (s: grpc.StatusObject) => resolve(s.code));
    stream.write(TRY);
    stream.write({ data: { data: BODY, eof: false } });
    stream.write({ data: { data: new Uint8Array(0), eof: true } });
  });
}

/** `concurrency` callers back to back until `maxCalls` or `maxMs`. */
async function run(
  client: RunnerProtocolClient,
  concurrency: number,
  maxCalls: number,
  maxMs: number,
): Promise<RunResult> {
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const begin = performance.now();
  const deadline = begin + maxMs;
  const worker = async () => {
    while (started < maxCalls && performance.now() < deadline) {
      started++;
      const t0 = performance.now();
      const code = await engageOnce(client);
      if (code === grpc.status.OK) latencies.push((performance.now() - t0) * 1000);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  return {
    latenciesUs: Float64Array.from(latencies).sort(),
    callsPerSecond: latencies.length / seconds,
    calls: latencies.length,
    errors,
  };
}

/** Warm-up, then `bounds.runs` runs at `concurrency`. */
export async function measureEngage(
  address: string,
  concurrency: number,
  bounds: HotBounds,
): Promise<HotResult> {
  const client = newRunnerClient(address, grpc.credentials.createInsecure(), {
    "grpc.enable_retries": 0,
  });
  try {
    return await measureRuns(
      concurrency,
      bounds,
      (maxCalls, maxMs) => run(client, concurrency, maxCalls, maxMs),
    );
  } finally {
    client.close();
  }
}
