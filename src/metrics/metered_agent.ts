/**
 * An {@linkcode Agent} decorator that keeps {@linkcode CallMetrics} for whatever agent it
 * wraps (the local Docker agent, the LB's runner-placing agent): a call is queued from
 * submit until it starts (`onStart`, or its response head when the agent reports no
 * start), then running until its outcome, which picks the final counter.
 *
 * @module
 */

import type { Agent, CallOutcome, CallRequest, CallResponse, CallStatus } from "../agent/call.ts";
import { isAPIError } from "../models/api_error.ts";
import { type CallMetrics, callMetrics, type FnCallCounts } from "./call_metrics.ts";

/** Wraps `agent` so that every call it runs is counted in `metrics`. */
export function meterAgent(agent: Agent, metrics: CallMetrics = callMetrics()): Agent {
  return new MeteredAgent(agent, metrics);
}

/** The status a call that failed before its response head ended with. */
export function statusOfError(err: unknown, signal: AbortSignal): CallStatus {
  if (signal.aborted) return "canceled";
  if (isAPIError(err)) {
    if (err.status === 503) return "busy";
    if (err.status === 504) return "timeout";
  }
  return "error";
}

/** One call's passage through queued → running → ended. */
class CallTrack {
  readonly #metrics: CallMetrics;
  readonly #counts: FnCallCounts;
  #state: "queued" | "running" | "ended" = "queued";

  constructor(metrics: CallMetrics, counts: FnCallCounts) {
    this.#metrics = metrics;
    this.#counts = counts;
    counts.calls++;
    counts.queued++;
  }

  start(): void {
    if (this.#state !== "queued") return;
    this.#state = "running";
    this.#counts.queued--;
    this.#counts.running++;
  }

  end(status: CallStatus, outcome?: CallOutcome): void {
    if (this.#state === "ended") return;
    if (this.#state === "queued") this.#counts.queued--;
    else this.#counts.running--;
    this.#state = "ended";
    this.#metrics.ended(this.#counts, status);
    if (outcome !== undefined && outcome.startedAt !== undefined) {
      this.#metrics.timed(this.#counts, outcome.schedulerMs, outcome.executionMs);
    }
  }
}

class MeteredAgent implements Agent {
  readonly #inner: Agent;
  readonly #metrics: CallMetrics;

  constructor(inner: Agent, metrics: CallMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  async submit(call: CallRequest): Promise<CallResponse> {
    const track = new CallTrack(this.#metrics, this.#metrics.forFn(call.app.id, call.fn.id));
    const onStart = call.onStart;
    const metered: CallRequest = {
      ...call,
      onStart: () => {
        track.start();
        onStart?.();
      },
    };
    let res: CallResponse;
    try {
      res = await this.#inner.submit(metered);
    } catch (err) {
      track.end(statusOfError(err, call.signal));
      throw err;
    }
    track.start();
    const done = res.done.then((outcome) => {
      track.end(outcome.status, outcome);
      return outcome;
    });
    return { status: res.status, headers: res.headers, body: res.body, done };
  }

  close(graceMs?: number): Promise<void> {
    return this.#inner.close(graceMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#inner[Symbol.asyncDispose]();
  }
}
