/**
 * `GrpcRunner`: one pure runner reached over gRPC, with one grpc-js channel that
 * reconnects on its own. A runner that is down is skipped at once (its channel is in
 * transient failure, or does not connect within `connectTimeoutMs`), never waited on.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import type { RunnerStatus } from "../grpc/runner_messages.ts";
import { newRunnerClient, type RunnerProtocolClient } from "../grpc/runner_proto.ts";
import { jsonToStruct, type JsonValue } from "../grpc/struct_json.ts";
import { log as rootLog, type Logger } from "../log.ts";
import { serverTooBusy } from "../models/api_error.ts";
import { EngageClient } from "./engage_client.ts";
import type { AttemptResult, Runner } from "./runner.ts";
import type { RunnerAttempt } from "./runner_attempt.ts";

/** Connection settings of a runner client. */
export interface GrpcRunnerOptions {
  readonly credentials: grpc.ChannelCredentials;
  /** Extra channel options (e.g. from `channelSecurity`). */
  readonly channelOptions?: grpc.ChannelOptions;
  /** How long an attempt waits for a channel that is not connected yet. @default {250} */
  readonly connectTimeoutMs?: number;
  /** Longest reconnect backoff. @default {5000} */
  readonly maxReconnectBackoffMs?: number;
  /**
   * Ping the runner this often while calls are in flight (never when idle), so a host
   * that vanished without a TCP reset fails its calls instead of hanging them; 0 = no
   * pings. Against Fn's Go runners keep it at 300000 or more (see `lb_config.ts`).
   * @default {0}
   */
  readonly keepaliveMs?: number;
  /** How long a ping may stay unanswered before the connection is dropped. @default {20000} */
  readonly keepaliveTimeoutMs?: number;
  /**
   * `close()` leaves the connection for the exiting process to drop instead of closing
   * it with GOAWAY: Deno 2.9.6 can abort a peer that receives GOAWAY (denoland/deno#36788),
   * while a dropped connection is handled. Only for a process that exits after closing.
   * @default {false}
   */
  readonly closeWithoutGoaway?: boolean;
  readonly log?: Logger;
}

/** The grpc-js channel options of a runner connection. */
export function runnerChannelOptions(options: GrpcRunnerOptions): grpc.ChannelOptions {
  const keepaliveMs = options.keepaliveMs ?? 0;
  return {
    ...options.channelOptions,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": options.maxReconnectBackoffMs ?? 5000,
    // Transparent retries would buffer every body frame for a replay that the
    // placer, not grpc-js, decides on.
    "grpc.enable_retries": 0,
    ...(keepaliveMs > 0
      ? {
        "grpc.keepalive_time_ms": keepaliveMs,
        "grpc.keepalive_timeout_ms": options.keepaliveTimeoutMs ?? 20_000,
        // A Go runner answers pings on an idle connection with GOAWAY.
        "grpc.keepalive_permit_without_calls": 0,
      }
      : {}),
  };
}

/** The runner is shutting down (Fn's text). */
export const RUNNER_CLOSED = "Runner is closed";

/** A pure runner behind one gRPC channel. */
export class GrpcRunner implements Runner<RunnerAttempt> {
  readonly address: string;
  readonly #client: RunnerProtocolClient;
  readonly #connectTimeoutMs: number;
  readonly #closeWithoutGoaway: boolean;
  readonly #log: Logger;
  #closed = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  /** Creates the channel (lazily connected). */
  constructor(address: string, options: GrpcRunnerOptions) {
    this.address = address;
    this.#client = newRunnerClient(address, options.credentials, runnerChannelOptions(options));
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 250;
    this.#closeWithoutGoaway = options.closeWithoutGoaway ?? false;
    this.#log = (options.log ?? rootLog).child({ runner_addr: address });
  }

  /** See {@linkcode Runner.tryExec}. */
  async tryExec(attempt: RunnerAttempt, signal: AbortSignal): Promise<AttemptResult> {
    if (this.#closed) return { placed: false, error: new Error(RUNNER_CLOSED) };
    const unreachable = await this.#whyUnreachable(signal);
    if (unreachable !== undefined) return { placed: false, error: unreachable };
    if (signal.aborted) return { placed: true, error: signal.reason };
    let body: ReadableStream<Uint8Array> | null;
    try {
      body = attempt.openBody();
    } catch (err) {
      // The body cannot be sent again after a NACK: the call is not placed anywhere.
      return { placed: false, final: true, error: serverTooBusy(err) };
    }
    this.#inFlight++;
    try {
      const options: grpc.CallOptions = attempt.deadline ? { deadline: attempt.deadline } : {};
      const stream = this.#client.engage(new grpc.Metadata(), options);
      const log = this.#log.child({ call_id: attempt.callId });
      const target = this.#client.getChannel().getTarget();
      return await new EngageClient(stream, attempt, target, log).run(body, signal);
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  /** Why no attempt should be made now, or undefined when the channel is usable. */
  async #whyUnreachable(signal: AbortSignal): Promise<Error | undefined> {
    const channel = this.#client.getChannel();
    const deadline = Date.now() + this.#connectTimeoutMs;
    let state = channel.getConnectivityState(true);
    // A channel that is connecting gets a short wait; one that failed is skipped at once.
    while (state === grpc.connectivityState.IDLE || state === grpc.connectivityState.CONNECTING) {
      if (signal.aborted) return undefined;
      const changed = await new Promise<boolean>((resolve) => {
        const onAbort = () => resolve(false);
        signal.addEventListener("abort", onAbort, { once: true });
        channel.watchConnectivityState(state, deadline, (err) => {
          signal.removeEventListener("abort", onAbort);
          resolve(err === undefined || err === null);
        });
      });
      if (!changed) {
        if (signal.aborted) return undefined;
        return new Error(
          `runner ${this.address} did not connect within ${this.#connectTimeoutMs} ms`,
        );
      }
      state = channel.getConnectivityState(true);
    }
    if (state === grpc.connectivityState.READY) return undefined;
    return new Error(`runner ${this.address} is unreachable (${grpc.connectivityState[state]})`);
  }

  /** See {@linkcode Runner.status}; `request` becomes the `Status2` Struct. */
  status(
    signal?: AbortSignal,
    request: Record<string, JsonValue> = {},
  ): Promise<Required<RunnerStatus>> {
    return new Promise((resolve, reject) => {
      const call = this.#client.status2(
        jsonToStruct(request),
        new grpc.Metadata(),
        {},
        (err, value) => (err ? reject(err) : resolve(value!)),
      );
      signal?.addEventListener("abort", () => call.cancel(), { once: true });
    });
  }

  /** See {@linkcode Runner.close}. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle = resolve);
    if (!this.#closeWithoutGoaway) this.#client.close();
  }
}
