/**
 * The seam between scheduling (slot queues, launcher, resource tracker) and the things
 * that make and talk to containers (Docker driver + container protocol). The scheduler
 * only sees `ContainerLauncher` and `HotContainer`.
 *
 * @module
 */

import type { APIError } from "../models/api_error.ts";

/** How a function container speaks: http-stream (FDKs) or a legacy stdin/stdout format. */
export type FunctionFormat = "http-stream" | "http" | "json" | "default";

/** Everything needed to start one function container. */
export interface ContainerSpec {
  /** Container name, a fresh fn id. */
  readonly id: string;
  readonly appId: string;
  readonly appName: string;
  readonly fnId: string;
  readonly fnName: string;
  readonly image: string;
  /** Full environment: app + fn config, then FN_* variables forced on top. */
  readonly env: Readonly<Record<string, string>>;
  /** Memory limit in MB; 0 = no limit (status containers). */
  readonly memoryMb: number;
  /** CPU quota in milli-CPUs; 0 = no quota. */
  readonly cpuMillis: number;
  readonly format: FunctionFormat;
  /** App syslog URL; when set, the function's output is sent there (see `src/logs`). */
  readonly syslogUrl?: string;
  /** Disable networking (`NetworkMode: none`). */
  readonly networkDisabled?: boolean;
}

/** One call sent into a container. */
export interface DispatchRequest {
  readonly callId: string;
  readonly method: string;
  readonly url: string;
  /** Headers for the function (hop-by-hop already removed). */
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  /** The body's declared length, when known (see `CallRequest.bodyLength`). */
  readonly bodyLength?: number;
  /** When execution times out (sent as `Fn-Deadline`); the container enforces it. */
  readonly deadline: Date;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Response bodies larger than this fail with 502; 0 = unlimited. */
  readonly maxResponseBytes: number;
}

/** The head of a function's response; the body streams after it. */
export interface FunctionResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** Whether a container can take another call after this one. */
export interface DispatchOutcome {
  /** False when the container is broken, timed out, or single-use (`default` format). */
  readonly reusable: boolean;
  /** The client-visible error, when the call failed. */
  readonly error?: APIError;
}

/** The two sides of one dispatch. */
export interface Dispatch {
  /** The response head; rejects with `APIError` when the call fails before it. */
  readonly response: Promise<FunctionResponse>;
  /** Settles (never rejects) when the call is over: body fully sent, failed or aborted. */
  readonly finished: Promise<DispatchOutcome>;
}

/** How a container ended. */
export interface ContainerExit {
  /** Exit code, or undefined when removed before it exited. */
  readonly exitCode?: number;
  readonly oomKilled?: boolean;
}

/** A started, ready container that takes one call at a time. */
export interface HotContainer extends AsyncDisposable {
  readonly id: string;
  readonly spec: ContainerSpec;
  /** Sends one call. Never called again before the previous `finished` settled. */
  dispatch(request: DispatchRequest): Dispatch;
  /** Freezes the container while idle (`docker pause`). */
  pause(): Promise<void>;
  /** Thaws a paused container. */
  unpause(): Promise<void>;
  /** Resolves when the container exits or is removed. */
  readonly exited: Promise<ContainerExit>;
  /** Force-removes the container and its socket dir. Idempotent. */
  close(): Promise<void>;
  /** How its launch went (image pull, create + start, init), where the driver knows. */
  readonly timings?: LaunchTimings;
}

/** Container timings worth reporting (runner `CallFinished`, metrics). */
export interface LaunchTimings {
  readonly imagePullMs: number;
  readonly createMs: number;
  readonly initMs: number;
}

/** Makes ready containers. */
export interface ContainerLauncher extends AsyncDisposable {
  /**
   * Makes sure the image is present (pull or load), creates, attaches and starts the
   * container, and resolves once it is ready to take a call.
   *
   * @throws {APIError} Fn's launch errors: `Failed to pull image ...` (4xx/502),
   *   `Image pull timed out` (504), `Container failed to initialize, ...` (502),
   *   `Container initialization timed out, ...` (504), `image has Volume definition` (400)
   */
  launch(spec: ContainerSpec, signal: AbortSignal): Promise<HotContainer>;
  /** Removes containers left behind by earlier fnd processes; returns how many. */
  removeLeftovers(): Promise<number>;
  /** Removes every container this launcher started. */
  close(): Promise<void>;
}
