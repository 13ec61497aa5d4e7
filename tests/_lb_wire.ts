/**
 * Shared pieces of the LB wire tests (`lb_wire_test.ts`, `lb_placement_test.ts`): calls,
 * an LB over fake Go runners, and the runner answers those tests script.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import client from "prom-client";
import type { CallRequest } from "../src/agent/call.ts";
import { createHandler } from "../src/api/handler.ts";
import { GrpcRunner, type GrpcRunnerOptions } from "../src/lb/grpc_runner.ts";
import { LbAgent } from "../src/lb/lb_agent.ts";
import { LbMetrics } from "../src/lb/lb_metrics.ts";
import { NaivePlacer } from "../src/lb/naive_placer.ts";
import type { PlacerConfig } from "../src/lb/placer.ts";
import type { Runner } from "../src/lb/runner.ts";
import type { RunnerAttempt } from "../src/lb/runner_attempt.ts";
import { StaticRunnerPool } from "../src/lb/static_runner_pool.ts";
import type { RunnerMsg } from "../src/grpc/runner_messages.ts";
import { bodyOf, type FakeEngage, quietLog } from "./_grpc_fakes.ts";
import { fixedLookup, routeContext } from "./_fake_agent.ts";

export const at = new Date("2024-01-01T00:00:00Z");

export function callRequest(
  body: Uint8Array | null,
  signal = new AbortController().signal,
): CallRequest {
  return {
    id: "01CALLID",
    app: {
      id: "APP1",
      name: "myapp",
      config: { APPCFG: "a" },
      annotations: { "x/y": 1 },
      createdAt: at,
      updatedAt: at,
    },
    fn: {
      id: "FN1",
      name: "myfn",
      appId: "APP1",
      image: "fnproject/hello:0.0.1",
      memoryMb: 128,
      timeoutSeconds: 30,
      idleTimeoutSeconds: 30,
      config: { FNCFG: "f" },
      annotations: {},
      createdAt: at,
      updatedAt: at,
    },
    triggerId: "",
    type: "sync",
    method: "POST",
    url: "http://127.0.0.1:8081/invoke/FN1",
    headers: new Headers({ "content-type": "application/json" }),
    body: body === null ? null : ReadableStream.from(chunks(body, 65536)),
    signal,
    createdAt: at,
  };
}

export function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size);
}

interface Lb extends AsyncDisposable {
  readonly agent: LbAgent;
  readonly registry: client.Registry;
}

interface LbOptions {
  readonly responseHoldBytes?: number;
  readonly replayLimitBytes?: number;
  /** Runner connection settings beyond credentials and log. */
  readonly runner?: Omit<GrpcRunnerOptions, "credentials" | "log">;
  /** Wraps each runner (to watch attempts). */
  readonly wrap?: (runner: Runner<RunnerAttempt>) => Runner<RunnerAttempt>;
}

export function lbOver(
  addresses: string[],
  config: Partial<PlacerConfig> = {},
  { runner: runnerOptions, wrap = (r) => r, ...options }: LbOptions = {},
): Lb {
  const registry = new client.Registry();
  const metrics = new LbMetrics(registry);
  const runners = addresses.map((a) =>
    wrap(
      new GrpcRunner(a, {
        credentials: grpc.credentials.createInsecure(),
        log: quietLog,
        ...runnerOptions,
      }),
    )
  );
  const pool = new StaticRunnerPool<RunnerAttempt>(runners);
  const placerConfig = {
    retryAllDelayMs: 10,
    placerTimeoutMs: 2000,
    detachedPlacerTimeoutMs: 2000,
    ...config,
  };
  const placer = new NaivePlacer(pool, metrics, placerConfig);
  const agent = new LbAgent({
    placer,
    pool,
    placerConfig,
    replayLimitBytes: 16 << 20,
    metrics,
    log: quietLog,
    ...options,
  });
  return { agent, registry, [Symbol.asyncDispose]: () => agent.close(1000) };
}

/** The LB node's HTTP handler over `agent`, with fn `FN1` of app `myapp`, trigger `/probe`. */
export function lbHandler(agent: LbAgent): (req: Request) => Promise<Response> {
  const { config } = routeContext("http://lb/", {}, { agent }).services;
  return createHandler({ nodeType: "lb", config, agent, lookup: fixedLookup(), log: quietLog });
}

export const finished = (extra: Record<string, unknown> = {}): RunnerMsg => ({
  finished: {
    success: true,
    details: "01CALLID",
    createdAt: "2024-01-01T00:00:00.000Z",
    executionDuration: 3_000_000,
    schedulerDuration: 1_000_000,
    ...extra,
  },
});

/** Answers like a Go runner: waits for EOF, echoes the body, finishes OK. */
export async function echo(fake: FakeEngage): Promise<void> {
  await fake.eof;
  if (fake.cancelled) return;
  const body = bodyOf(fake.received);
  fake.call.write({
    resultStart: { http: { statusCode: 200, headers: [{ key: "Content-Type", value: "x/y" }] } },
  });
  for (let i = 0; i < body.byteLength; i += 10240) {
    fake.call.write({ data: { data: body.subarray(i, i + 10240), eof: false } });
  }
  fake.call.write(finished());
  fake.call.end();
}

export const nack: RunnerMsg = finished({
  success: false,
  errorCode: 503,
  errorStr: "Timed out - server too busy",
  executionDuration: 0,
});

export function deadAddress(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `127.0.0.1:${port}`;
}
