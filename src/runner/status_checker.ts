/**
 * The runner's health answer for `Status`/`Status2` (`lb-runner.md` §2, `agent.md`
 * §5.1). Counters are always live. With a status image (`FN_STATUS_IMAGE`, an fnd
 * addition) one synthetic call runs that image through the agent with no memory
 * reservation, a 5 s timeout and a 60 s budget detached from the caller; runs are
 * single-flight and their result is cached for 1.5 s after each run completes. The
 * first reader of a run gets `cached: false`, every later reader `cached: true`.
 *
 * @module
 */

import type { Agent, CallRequest } from "../agent/call.ts";
import type { RunnerStatus } from "../grpc/runner_messages.ts";
import { formatWireTime, msToNs } from "../grpc/wire_time.ts";
import { isAPIError } from "../models/api_error.ts";
import { newId } from "../models/id.ts";
import type { RunnerMetrics } from "./runner_metrics.ts";

/** How long a run's result is reused after it completes. */
export const STATUS_CACHE_MS = 1500;
/** The whole budget of one status run. */
export const STATUS_RUN_BUDGET_MS = 60_000;
/** Most bytes of the status image's answer kept in `details`. */
const MAX_DETAILS_BYTES = 64 * 1024;

/** The always-live counters of a runner. */
export interface RunnerCounters {
  readonly active: number;
  readonly requestsReceived: number;
  readonly requestsHandled: number;
}

/** What a status run found (everything but the live counters and `cached`). */
type RunResult = Omit<RunnerStatus, keyof RunnerCounters | "cached">;

interface CacheEntry {
  readonly result: RunResult;
  /** The status call itself failed (no answer from the image). */
  readonly errored: boolean;
  readonly expiresAt: number;
  reads: number;
}

/** Answers status requests for one runner. */
export class StatusChecker {
  readonly #agent: Agent;
  readonly #image: string;
  readonly #counters: () => RunnerCounters;
  readonly #metrics: RunnerMetrics;
  #cache: CacheEntry | undefined;
  #running: Promise<CacheEntry> | undefined;

  /**
   * @param image the status image; "" answers with the counters only
   * @param counters reads the runner's live counters
   */
  constructor(agent: Agent, image: string, counters: () => RunnerCounters, metrics: RunnerMetrics) {
    this.#agent = agent;
    this.#image = image;
    this.#counters = counters;
    this.#metrics = metrics;
  }

  /**
   * The status; `requestJson` is the status call's body.
   *
   * @throws the caller's `signal` reason when it aborts while a run is in progress
   */
  async status(requestJson: string, signal?: AbortSignal): Promise<RunnerStatus> {
    if (this.#image === "") return { ...this.#counters() };
    let entry = this.#cache;
    if (entry === undefined || Date.now() >= entry.expiresAt) {
      this.#running ??= this.#run(requestJson).finally(() => this.#running = undefined);
      entry = await abortable(this.#running, signal);
    }
    const cached = entry.reads++ > 0;
    const success = entry.errored ? "error" : entry.result.failed ? "false" : "true";
    this.#metrics.statusCalls.inc({ cached: String(cached), network: "true", success });
    return { ...entry.result, ...this.#counters(), cached };
  }

  async #run(requestJson: string): Promise<CacheEntry> {
    const result = await this.#call(requestJson);
    const errored = result.failed === true && result.details === "" &&
      result.startedAt === undefined;
    const entry = { result, errored, expiresAt: Date.now() + STATUS_CACHE_MS, reads: 0 };
    this.#cache = entry;
    return entry;
  }

  async #call(requestJson: string): Promise<RunResult> {
    const id = newId();
    const createdAt = new Date();
    const epoch = new Date(0);
    const call: CallRequest = {
      id,
      app: { id: "", name: "", config: {}, annotations: {}, createdAt: epoch, updatedAt: epoch },
      fn: {
        id: "",
        name: "",
        appId: "",
        image: this.#image,
        memoryMb: 0,
        timeoutSeconds: 5,
        idleTimeoutSeconds: 1,
        config: {},
        annotations: {},
        createdAt: epoch,
        updatedAt: epoch,
      },
      triggerId: "",
      type: "sync",
      method: "GET",
      url: "http://localhost/",
      headers: new Headers({ "Content-Type": "application/json" }),
      body: ReadableStream.from([new TextEncoder().encode(requestJson)]),
      // Detached from the caller: a caller giving up does not waste the run.
      signal: AbortSignal.timeout(STATUS_RUN_BUDGET_MS),
      createdAt,
    };
    try {
      const response = await this.#agent.submit(call);
      const details = await readText(response.body);
      const outcome = await response.done;
      const failed = outcome.error !== undefined || response.status >= 400;
      return {
        id,
        details,
        failed,
        errorCode: outcome.error?.status ?? (response.status >= 400 ? response.status : 0),
        errorStr: outcome.error?.message ?? "",
        createdAt: formatWireTime(createdAt),
        startedAt: formatWireTime(outcome.startedAt),
        completedAt: outcome.startedAt ? formatWireTime(outcome.completedAt) : "",
        schedulerDuration: msToNs(outcome.schedulerMs),
        executionDuration: msToNs(outcome.executionMs),
      };
    } catch (err) {
      return {
        id,
        details: "",
        failed: true,
        errorCode: isAPIError(err) ? err.status : 0,
        errorStr: err instanceof Error ? err.message : String(err),
        createdAt: formatWireTime(createdAt),
      };
    }
  }
}

async function readText(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (body === null) return "";
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of body) {
    if (bytes < MAX_DETAILS_BYTES) text += decoder.decode(chunk, { stream: true });
    bytes += chunk.byteLength;
  }
  return text + decoder.decode();
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
