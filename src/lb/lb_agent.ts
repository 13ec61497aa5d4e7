/**
 * `LbAgent`: the LB node's `Agent`. It runs no containers; it places each call on a
 * pure runner over gRPC (`lb-runner.md` §3): builds the call model, asks the placer
 * for a runner, streams the body (teed so a NACKed attempt can be replayed on the
 * next runner), and streams the committed runner's response back.
 *
 * @module
 */

import type { Agent, CallOutcome, CallRequest, CallResponse, CallStatus } from "../agent/call.ts";
import { buildCallModel } from "../grpc/call_model.ts";
import type { CallFinished, TryCall } from "../grpc/runner_messages.ts";
import { nsToMs } from "../grpc/wire_time.ts";
import { log as rootLog, type Logger } from "../log.ts";
import { APIError, serverTooBusy } from "../models/api_error.ts";
import { type LbCallStatus, LbMetrics } from "./lb_metrics.ts";
import { DEFAULT_RESPONSE_HOLD_BYTES, LbResponse, type LbResponseOptions } from "./lb_response.ts";
import { isTooBusy, type Placer, type PlacerConfig } from "./placer.ts";
import { ReplayableBody } from "./replay_body.ts";
import type { RunnerPool } from "./runner.ts";
import type { RunnerAttempt } from "./runner_attempt.ts";

/** Fn's answer when a detached call's reservation deadline passes. */
export const RESERVATION_EXPIRED = "Unable to service the request for the reservation period";

/** How an {@linkcode LbAgent} is built. */
export interface LbAgentOptions {
  readonly placer: Placer<RunnerAttempt>;
  readonly pool: RunnerPool<RunnerAttempt>;
  readonly placerConfig: Pick<PlacerConfig, "detachedPlacerTimeoutMs">;
  /** Most request-body bytes kept for replaying on another runner. */
  readonly replayLimitBytes: number;
  /** Extra time detached calls get on top of their timeout. @default {360000} */
  readonly executionHeadroomMs?: number;
  /**
   * Body bytes a sync call's response head waits for before streaming, so that a
   * runner failing the call after partial output still gives its error status
   * (see `LbResponse`). @default {DEFAULT_RESPONSE_HOLD_BYTES}
   */
  readonly responseHoldBytes?: number;
  readonly metrics?: LbMetrics;
  readonly log?: Logger;
}

/** Places calls on pure runners. */
export class LbAgent implements Agent {
  readonly #options: LbAgentOptions;
  readonly #metrics: LbMetrics;
  readonly #log: Logger;
  /** Aborted when the shutdown grace period is over: calls still running are cancelled. */
  readonly #closing = new AbortController();
  #closed = false;
  #closePromise: Promise<void> | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #syncResponse: LbResponseOptions;
  /** A detached call's head is the runner's 202, sent at once. */
  static readonly #detachedResponse: LbResponseOptions = { holdBytes: 0 };

  /** An agent over `options.pool`, placing with `options.placer`. */
  constructor(options: LbAgentOptions) {
    this.#options = options;
    this.#syncResponse = { holdBytes: options.responseHoldBytes ?? DEFAULT_RESPONSE_HOLD_BYTES };
    this.#metrics = options.metrics ?? new LbMetrics();
    this.#log = (options.log ?? rootLog).child({ agent: "lb" });
  }

  /** See {@linkcode Agent.submit}. */
  submit(call: CallRequest): Promise<CallResponse> {
    if (this.#closed) return Promise.reject(serverTooBusy());
    // The runners make the up-front checks; the LB accepts every call it can place.
    call.onAccepted?.();
    const startedAt = new Date();
    const deadline = call.type === "detached" ? this.#detachedDeadline(call) : undefined;
    const log = this.#log.child({ call_id: call.id, app_id: call.app.id, fn_id: call.fn.id });
    const body = new ReplayableBody(call.body, this.#options.replayLimitBytes);
    const clientGone = new AbortController();
    const signal = this.#callSignal(call, clientGone.signal, deadline);
    const response = new LbResponse(
      {
        onCommit: () => {
          // A runner took the call: no retry will need the body, and it now runs.
          body.release();
          call.onStart?.();
        },
        onBodyCancel: (reason) =>
          clientGone.abort(reason ?? new DOMException("body cancelled", "AbortError")),
        onFinished: (f) => this.#recordRunnerTimes(f),
      },
      log,
      call.type === "detached" ? LbAgent.#detachedResponse : this.#syncResponse,
    );
    const attempt: RunnerAttempt = {
      callId: call.id,
      tryCall: () => this.#tryCall(call, startedAt, response.executionNs),
      openBody: () => body.open(),
      sink: response,
      ...(deadline === undefined ? {} : { deadline }),
    };
    const placing = this.#options.placer
      .place({ fnId: call.fn.id, attempt, signal, detached: call.type === "detached" })
      .then(() => undefined, (err: unknown) => err)
      .then((err) => this.#finish(call, signal, response, err, startedAt, log))
      .finally(() => {
        void body.cancel();
        this.#inFlight.delete(placing);
      });
    this.#inFlight.add(placing);
    return response.head;
  }

  #callSignal(call: CallRequest, clientGone: AbortSignal, deadline?: Date): AbortSignal {
    const signals = [call.signal, clientGone, this.#closing.signal];
    if (deadline !== undefined) {
      signals.push(AbortSignal.timeout(Math.max(0, deadline.getTime() - Date.now())));
    }
    return AbortSignal.any(signals);
  }

  /** Fn's reservation for detached calls: placer timeout + fn timeout + headroom. */
  #detachedDeadline(call: CallRequest): Date {
    const headroom = this.#options.executionHeadroomMs ?? 360_000;
    const ms = this.#options.placerConfig.detachedPlacerTimeoutMs +
      call.fn.timeoutSeconds * 1000 + headroom;
    return new Date(Date.now() + ms);
  }

  #tryCall(call: CallRequest, startedAt: Date, executionNs: number): TryCall {
    const model = buildCallModel(call, startedAt, executionNs);
    // Fn's LB sends slot_hash_id "" and no extensions: both are left off the wire.
    return { modelsCallJson: JSON.stringify(model) };
  }

  #recordRunnerTimes(f: Required<CallFinished>): void {
    if (f.schedulerDuration !== 0) {
      this.#metrics.runnerSchedLatency.observe(nsToMs(f.schedulerDuration));
    }
    if (f.executionDuration !== 0) {
      this.#metrics.runnerExecLatency.observe(nsToMs(f.executionDuration));
    }
  }

  /** Fn's end handling (§3.7): classify, record, and settle the response. */
  #finish(
    call: CallRequest,
    signal: AbortSignal,
    response: LbResponse,
    err: unknown,
    startedAt: Date,
    log: Logger,
  ): CallOutcome {
    let error = err;
    let status: LbCallStatus;
    if (error === undefined) {
      status = "completed";
    } else if (isTooBusy(error)) {
      status = "server_busy";
    } else if (signal.aborted && isTimeout(signal.reason) && error === signal.reason) {
      status = "timeouts";
      error = new APIError(500, RESERVATION_EXPIRED, { cause: err });
    } else if (signal.aborted && error === signal.reason) {
      status = "canceled";
      error = call.signal.aborted ? call.signal.reason : serverTooBusy(err);
    } else {
      status = "errors";
    }
    const elapsed = Date.now() - startedAt.getTime();
    const latency = Math.max(0, elapsed - nsToMs(response.executionNs));
    this.#metrics.callLatency.observe({ call_status: status }, latency);
    if (status === "errors") log.warn("call failed on the runner", { error: err });
    return response.complete(error, AGENT_STATUS[status]);
  }

  /**
   * See {@linkcode Agent.close}: new calls get 503 at once; calls in flight get
   * `graceMs` to finish, then are cancelled; then the runner connections close.
   */
  close(graceMs = 30_000): Promise<void> {
    // One close, however often it is asked for: the pool shuts down once, after the calls.
    this.#closePromise ??= this.#close(graceMs);
    return this.#closePromise;
  }

  async #close(graceMs: number): Promise<void> {
    this.#closed = true;
    const all = Promise.allSettled([...this.#inFlight]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([all, grace]);
    clearTimeout(timer);
    this.#closing.abort(serverTooBusy());
    await all;
    await this.#options.pool.shutdown();
  }

  /** See {@linkcode Agent.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const AGENT_STATUS: Record<LbCallStatus, CallStatus> = {
  completed: "success",
  "server_busy": "busy",
  timeouts: "timeout",
  canceled: "canceled",
  errors: "error",
};

function isTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === "TimeoutError";
}
