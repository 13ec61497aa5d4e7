/**
 * One `Engage` stream on a pure runner (`lb-runner.md` §1.5–§1.7): the first message
 * must be `TryCall`; the call is submitted to the local agent at once, so a full
 * runner NACKs (`CallFinished` 503) before any output; the body arrives as frames;
 * the answer goes back as `CallResultStart`, ≤ 10 KiB `DataFrame`s, exactly one
 * `CallFinished`, then status OK without waiting for the LB to half-close.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import type { Agent, CallOutcome, CallRequest, CallResponse } from "../agent/call.ts";
import { CallModelError, parseCallModel } from "../grpc/call_model.ts";
import { headerEntries } from "../grpc/canonical_header.ts";
import type { CallFinished, DecodedClientMsg, RunnerMsg } from "../grpc/runner_messages.ts";
import { MAX_DATA_CHUNK } from "../grpc/runner_proto.ts";
import { finishedMessage, responseFrame, resultStartMessage } from "../grpc/wire_messages.ts";
import { formatWireTime, msToNs } from "../grpc/wire_time.ts";
import type { Logger } from "../log.ts";
import { APIError, isAPIError, messages } from "../models/api_error.ts";
import { callFromModel } from "./call_from_model.ts";
import { IncomingBody } from "./incoming_body.ts";

/** Fn's protocol errors (gRPC status UNKNOWN). */
export const EXPECTED_TRY = "Protocol failure: expected ClientMsg_Try";
/** See {@linkcode EXPECTED_TRY}. */
export const EXPECTED_DATA = "Protocol failure: expected ClientMsg_Data";
/** A call for the runner's status image (400). */
export const INVALID_IMAGE = "Invalid Fn image";
/** The function answered before the whole request arrived (502, user). */
export const PREMATURE_WRITE = "function invoked write before receiving entire request";

/** Why a body still arriving after `CallFinished` is dropped (one shared instance). */
const CALL_OVER = new Error("the call is over");

/** The server side of an Engage stream. */
export type EngageCall = grpc.ServerDuplexStream<DecodedClientMsg, RunnerMsg>;

/** What a session needs from its runner. */
export interface SessionContext {
  readonly agent: Agent;
  /** Calls for this image are refused ("" = none). */
  readonly statusImage: string;
  readonly log: Logger;
}

type Phase = "try" | "body" | "done";

/** How an Engage stream ended, for the runner's metrics. */
export type EngageOutcome =
  | "completed"
  | "failed"
  | "nack"
  | "cancelled"
  | "protocol_error";

/** Serves one Engage stream. */
export class EngageSession {
  readonly #call: EngageCall;
  readonly #ctx: SessionContext;
  readonly #abort = new AbortController();
  readonly #body: IncomingBody;
  #phase: Phase = "try";
  #outcome: EngageOutcome = "cancelled";
  #output = false;
  #createdAt = new Date();
  #eof = false;
  /** The agent started the call (the function may have run): no NACK any more. */
  #started = false;
  #closed = false;
  #log: Logger;
  #resolveTry!: (msg: DecodedClientMsg | undefined) => void;

  constructor(call: EngageCall, ctx: SessionContext) {
    this.#call = call;
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.#body = new IncomingBody(call);
  }

  /** Runs the session to its end; never rejects. */
  async run(): Promise<EngageOutcome> {
    await this.#run();
    return this.#outcome;
  }

  async #run(): Promise<void> {
    const call = this.#call;
    const first = new Promise<DecodedClientMsg | undefined>((r) => this.#resolveTry = r);
    call.on("data", (msg: DecodedClientMsg) => this.#onMessage(msg));
    call.on("end", () => this.#onHalfClose());
    // The LB resets every stream once it has our status (Fn's LB does too), so a
    // cancel after the call is over is routine: no reason object is built for it.
    call.on("cancelled", () => {
      if (this.#phase === "done" && this.#closed) return;
      this.#onGone(new DOMException("the LB cancelled the call", "AbortError"));
    });
    call.on("error", (err: unknown) => this.#onGone(err));
    const msg = await first;
    if (msg === undefined) return;
    if (msg.body !== "try") return this.#protocolError(EXPECTED_TRY);
    try {
      await this.#serve(msg.try.modelsCallJson);
    } catch (err) {
      this.#log.error("runner failed to serve a call", { error: err });
      this.#fail(err);
    }
  }

  #onMessage(msg: DecodedClientMsg): void {
    switch (this.#phase) {
      case "try":
        this.#phase = "body";
        this.#resolveTry(msg);
        return;
      case "body":
        if (this.#eof) return; // frames after EOF are ignored
        if (msg.body !== "data") return this.#protocolError(EXPECTED_DATA);
        this.#body.push(msg.data.data);
        if (msg.data.eof) {
          this.#eof = true;
          this.#body.end();
        }
        return;
      case "done":
        return;
    }
  }

  #onHalfClose(): void {
    if (this.#phase === "try") return this.#protocolError(EXPECTED_TRY);
    if (this.#phase === "body" && !this.#eof) this.#protocolError(EXPECTED_DATA);
  }

  #onGone(reason: unknown): void {
    if (this.#phase !== "done") {
      this.#outcome = "cancelled";
      this.#log.info("the LB cancelled the call");
    }
    this.#closed = true;
    this.#body.fail(reason);
    this.#abort.abort(reason);
    if (this.#phase === "try") this.#resolveTry(undefined);
    this.#phase = "done";
  }

  #protocolError(details: string): void {
    this.#outcome = "protocol_error";
    const wasWaiting = this.#phase === "try" || this.#phase === "body";
    const error = Object.assign(new Error(details), { code: grpc.status.UNKNOWN, details });
    this.#body.fail(error);
    this.#abort.abort(error);
    if (!this.#closed) {
      this.#closed = true;
      this.#call.emit("error", error);
    }
    this.#phase = "done";
    if (wasWaiting) this.#resolveTry(undefined);
  }

  async #serve(modelsCallJson: string): Promise<void> {
    const createdAt = this.#createdAt = new Date();
    const model = parseCallModel(modelsCallJson);
    this.#log = this.#log.child({ call_id: model.id, app_id: model.app_id, fn_id: model.fn_id });
    if (this.#ctx.statusImage !== "" && model.image === this.#ctx.statusImage) {
      return this.#finish({ success: false, errorCode: 400, errorStr: INVALID_IMAGE });
    }
    const detached = model.type === "detached";
    let startedAt: Date | undefined;
    let request: CallRequest;
    try {
      request = callFromModel(model, {
        body: this.#body.stream,
        // A detached call runs to completion even if the LB goes away.
        signal: detached ? new AbortController().signal : this.#abort.signal,
        createdAt,
        onStart: () => {
          startedAt = new Date();
          this.#started = true;
          this.#log.debug("call started");
          if (detached) {
            void this.#write(resultStartMessage(202));
          }
        },
      });
    } catch (err) {
      throw new CallModelError((err as Error).message);
    }
    const base: CallFinished = {
      details: model.id,
      image: model.image,
      createdAt: formatWireTime(createdAt),
    };
    let response: CallResponse;
    try {
      response = await this.#ctx.agent.submit(request);
    } catch (err) {
      // Before the call started, a 503 here is the NACK the LB retries elsewhere
      // (#finish keeps a started call from reporting one).
      const times = startedAt === undefined ? {} : this.#times(createdAt, startedAt, new Date());
      return this.#finish({ ...base, ...times, ...errorFields(err) });
    }
    if (detached) return this.#finishDetached(response, base);
    if (!this.#eof && response.status === 200) {
      await response.body?.cancel(PREMATURE_WRITE).catch(() => {});
      const outcome = await response.done;
      return this.#finish({
        ...base,
        ...this.#outcomeTimes(createdAt, outcome),
        ...errorFields(new APIError(502, PREMATURE_WRITE, { blame: "user" })),
      });
    }
    await this.#streamResponse(response, base, createdAt);
  }

  async #streamResponse(
    response: CallResponse,
    base: CallFinished,
    createdAt: Date,
  ): Promise<void> {
    await this.#write(resultStartMessage(response.status, headerEntries(response.headers)));
    let bodyError: unknown;
    if (response.body !== null) {
      try {
        for await (const chunk of response.body) {
          for (let offset = 0; offset < chunk.byteLength; offset += MAX_DATA_CHUNK) {
            const data = chunk.subarray(offset, offset + MAX_DATA_CHUNK);
            if (!await this.#write(responseFrame(data))) break;
          }
          if (this.#closed) break;
        }
      } catch (err) {
        bodyError = err;
      }
      if (this.#closed) await response.body.cancel().catch(() => {});
    }
    const outcome = await response.done;
    const error = outcome.error ??
      (bodyError === undefined
        ? undefined
        : toAPIError(bodyError, "error receiving function response"));
    const result = error === undefined ? { success: true } : errorFields(error);
    await this.#finish({ ...base, ...this.#outcomeTimes(createdAt, outcome), ...result });
  }

  async #finishDetached(response: CallResponse, base: CallFinished): Promise<void> {
    // Detached: the answer was 202 at start; the body is drained and discarded.
    if (response.body !== null) {
      try {
        for await (const _ of response.body) { /* discard */ }
      } catch { /* the outcome carries the error */ }
    }
    const outcome = await response.done;
    const result = outcome.error === undefined ? { success: true } : errorFields(outcome.error);
    await this.#finish({ ...base, ...this.#outcomeTimes(this.#createdAt, outcome), ...result });
  }

  #outcomeTimes(createdAt: Date, outcome: CallOutcome): CallFinished {
    if (outcome.startedAt === undefined) return { completedAt: "" };
    const times = this.#times(createdAt, outcome.startedAt, outcome.completedAt);
    const launch = outcome.launch;
    return {
      ...times,
      executionDuration: msToNs(outcome.executionMs),
      // Fn reports a container's launch on the call that launched it (§1.7).
      ...(launch === undefined ? {} : {
        imagePullWaitDuration: msToNs(launch.imagePullMs),
        ctrCreateDuration: msToNs(launch.createMs),
        initStartTime: msToNs(launch.initMs),
      }),
    };
  }

  #times(createdAt: Date, startedAt: Date, completedAt: Date): CallFinished {
    return {
      startedAt: formatWireTime(startedAt),
      completedAt: formatWireTime(completedAt),
      schedulerDuration: msToNs(startedAt.getTime() - createdAt.getTime()),
      executionDuration: msToNs(completedAt.getTime() - startedAt.getTime()),
    };
  }

  /**
   * Sends `CallFinished` and ends the RPC with OK. A 503 from a call that started or
   * sent output goes out as 500 `internal server error`: an LB takes `errorCode` 503
   * as a NACK and runs the call again elsewhere (Fn's Go LB even after output).
   */
  async #finish(result: CallFinished): Promise<void> {
    let finished = result;
    if (result.errorCode === 503 && (this.#started || this.#output)) {
      this.#log.warn("a started call failed with 503; reported as 500 so it is not run again", {
        error: result.errorStr,
      });
      finished = { ...result, ...errorFields(new APIError(500, messages.internal)) };
    }
    if (this.#phase !== "done") {
      this.#outcome = finished.success
        ? "completed"
        : finished.errorCode === 503
        ? "nack"
        : "failed";
    }
    this.#phase = "done";
    // Whatever body is still arriving is not needed any more (e.g. after a NACK).
    this.#body.fail(CALL_OVER);
    if (this.#closed) return;
    await this.#write(finishedMessage(finished));
    if (this.#closed) return;
    this.#closed = true;
    this.#call.end();
  }

  /** Fails the RPC after an unexpected error. */
  #fail(err: unknown): void {
    if (this.#closed) return;
    if (err instanceof CallModelError) {
      void this.#finish({
        success: false,
        errorCode: 500,
        errorStr: `Invalid call from the LB: ${err.message}`,
      });
      return;
    }
    void this.#finish({ success: false, ...errorFields(err) });
  }

  /** Writes with backpressure; false once the stream is closed. */
  async #write(msg: RunnerMsg): Promise<boolean> {
    if (this.#closed) return false;
    if (!("finished" in msg)) this.#output = true;
    if (this.#call.write(msg)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#call.off("drain", done);
        this.#abort.signal.removeEventListener("abort", done);
        resolve();
      };
      this.#call.on("drain", done);
      this.#abort.signal.addEventListener("abort", done, { once: true });
    });
    return !this.#closed;
  }
}

function toAPIError(err: unknown, fallback: string): APIError {
  return isAPIError(err) ? err : new APIError(502, fallback, { cause: err });
}

/** The error fields of `CallFinished` for `err` (never code 0: §1.6.6). */
function errorFields(err: unknown): CallFinished {
  if (isAPIError(err)) {
    return {
      success: false,
      errorCode: err.status,
      errorStr: err.message,
      errorUser: err.blame === "user",
    };
  }
  return { success: false, errorCode: 500, errorStr: messages.internal, errorUser: false };
}
