/**
 * One `Engage` stream from the LB's side (`lb-runner.md` §1): send `TryCall`, stream
 * the body in 10 KiB frames and one empty `eof` frame (never half-closing, like Fn's
 * LB), and turn the runner's messages into sink calls and an `AttemptResult`.
 *
 * Commit rule (grpc-js has no synchronous send error, §8.5): the attempt is *not*
 * placed only when the runner NACKed (`CallFinished` 503 before any output, or a
 * status `Timed out - server too busy`) or when the stream never got a connection
 * (`UNAVAILABLE` with no metadata, no message and no transport assigned). Anything
 * else after the stream was created counts as committed, so a call never runs twice.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { MAX_DATA_CHUNK } from "../grpc/runner_proto.ts";
import type { CallFinished, ClientMsg, DecodedRunnerMsg } from "../grpc/runner_messages.ts";
import { EOF_FRAME, requestFrame, tryCallMessage } from "../grpc/wire_messages.ts";
import { APIError, messages, serverTooBusy } from "../models/api_error.ts";
import type { Logger } from "../log.ts";
import type { AttemptResult } from "./runner.ts";
import type { RunnerAttempt } from "./runner_attempt.ts";

/** Fn's error for a message after `CallFinished`. */
export const MISSING_EOF = "Purerunner missing EOF response";
/** Fn's message for a failed `CallFinished` without `errorStr`. */
export const UNKNOWN_RUNNER_ERROR = "Unknown Error From Pure Runner";

type EngageStream = grpc.ClientDuplexStream<ClientMsg, DecodedRunnerMsg>;

/** Converts a failed `CallFinished` into the client-visible error (§1.6.3). */
export function finishedError(f: Required<CallFinished>): APIError {
  const status = f.errorCode >= 100 && f.errorCode <= 599 ? f.errorCode : 500;
  const message = f.errorStr === "" ? UNKNOWN_RUNNER_ERROR : f.errorStr;
  if (status === 503 && message === messages.tooBusy) return serverTooBusy();
  return new APIError(status, message, { blame: f.errorUser ? "user" : "service" });
}

/** Whether a `CallFinished` is a runner's NACK. */
export function isNack(f: Required<CallFinished>): boolean {
  return !f.success && f.errorCode === 503;
}

/** Runs one attempt over an already created Engage stream. */
export class EngageClient {
  readonly #stream: EngageStream;
  readonly #attempt: RunnerAttempt;
  readonly #target: string;
  readonly #log: Logger;
  #metadataSeen = false;
  #messages = 0;
  #finished: Required<CallFinished> | undefined;
  #output = false;
  #firstError: unknown;
  #ended = false;
  #bodyReader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  /**
   * @param stream a fresh `Engage` call
   * @param attempt what to send and where the response goes
   * @param target the channel's target, to tell "never connected" from "connection lost"
   */
  constructor(stream: EngageStream, attempt: RunnerAttempt, target: string, log: Logger) {
    this.#stream = stream;
    this.#attempt = attempt;
    this.#target = target;
    this.#log = log;
  }

  /** Runs the attempt to its end (or until `signal` aborts). Never rejects. */
  run(body: ReadableStream<Uint8Array> | null, signal: AbortSignal): Promise<AttemptResult> {
    const stream = this.#stream;
    return new Promise<AttemptResult>((resolve) => {
      const onAbort = () => {
        this.#end();
        stream.cancel();
        resolve({ placed: true, error: signal.reason });
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      stream.on("metadata", () => this.#metadataSeen = true);
      stream.on("data", (msg: DecodedRunnerMsg) => this.#onMessage(msg));
      stream.on("error", () => {}); // reported through "status"
      stream.on("status", (status: grpc.StatusObject) => {
        this.#end();
        signal.removeEventListener("abort", onAbort);
        resolve(this.#outcome(status));
      });
      this.#send(body).catch((err) => {
        // The body failed (client gone, too large): the runner must not finish the
        // call with a truncated body, so the stream is cancelled.
        this.#firstError ??= err;
        stream.cancel();
      });
    });
  }

  async #send(body: ReadableStream<Uint8Array> | null): Promise<void> {
    if (!await this.#write(tryCallMessage(this.#attempt.tryCall()))) return;
    if (body !== null) {
      const reader = this.#bodyReader = body.getReader();
      const frame = new Uint8Array(MAX_DATA_CHUNK);
      let filled = 0;
      while (true) {
        const { done, value } = await reader.read();
        if (done || this.#ended) break;
        for (let offset = 0; offset < value.byteLength;) {
          const n = Math.min(MAX_DATA_CHUNK - filled, value.byteLength - offset);
          frame.set(value.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled < MAX_DATA_CHUNK) continue;
          if (!await this.#write(requestFrame(frame.slice()))) return;
          filled = 0;
        }
      }
      if (filled > 0 && !await this.#write(requestFrame(frame.slice(0, filled)))) return;
    }
    if (this.#ended) return;
    await this.#write(EOF_FRAME);
  }

  /** Stops sending: the stream is over. */
  #end(): void {
    this.#ended = true;
    void this.#bodyReader?.cancel().catch(() => {});
  }

  /** Writes with backpressure; false once the stream is over. */
  async #write(msg: ClientMsg): Promise<boolean> {
    if (this.#ended) return false;
    try {
      if (this.#stream.write(msg)) return !this.#ended;
    } catch {
      return false;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off("drain", done);
        this.#stream.off("status", done);
        resolve();
      };
      this.#stream.on("drain", done);
      this.#stream.on("status", done);
    });
    return !this.#ended;
  }

  #onMessage(msg: DecodedRunnerMsg): void {
    this.#messages++;
    const sink = this.#attempt.sink;
    if (this.#finished !== undefined) {
      this.#firstError ??= new Error(MISSING_EOF);
      return;
    }
    switch (msg.body) {
      case "resultStart": {
        this.#commit();
        const meta = msg.resultStart.http;
        if (meta !== undefined && meta.statusCode > 0 && !this.#output) sink.resultStart(meta);
        this.#output = true;
        return;
      }
      case "data": {
        this.#commit();
        this.#output = true;
        if (msg.data.data.byteLength === 0) return;
        const wait = sink.data(new Uint8Array(msg.data.data));
        if (wait !== undefined) {
          this.#stream.pause();
          void wait.finally(() => this.#stream.resume());
        }
        return;
      }
      case "finished":
        this.#finished = msg.finished;
        sink.observe(msg.finished);
        if (isNack(msg.finished) && this.#messages === 1) {
          // Stop sending the body now rather than after the runner's status: the
          // runner does not need it, and the next runner is waiting.
          this.#end();
          this.#stream.cancel();
          return;
        }
        this.#commit();
        sink.finished(msg.finished);
        if (!msg.finished.success) this.#firstError ??= finishedError(msg.finished);
        return;
      default:
        this.#log.warn("runner sent an empty message; ignored");
    }
  }

  #committedOnce = false;
  #commit(): void {
    if (this.#committedOnce) return;
    this.#committedOnce = true;
    this.#attempt.sink.committed();
  }

  #outcome(status: grpc.StatusObject): AttemptResult {
    const f = this.#finished;
    if (f !== undefined && isNack(f) && this.#messages === 1 && !this.#committedOnce) {
      return { placed: false, error: serverTooBusy() };
    }
    if (f === undefined && isStatusNack(status)) return { placed: false, error: serverTooBusy() };
    if (f === undefined && this.#neverConnected(status)) {
      return { placed: false, error: grpcError(status) };
    }
    if (status.code !== grpc.status.OK) this.#firstError ??= lostRunner(status);
    else if (f === undefined) this.#firstError ??= lostRunner(status);
    return { placed: true, error: this.#firstError };
  }

  #neverConnected(status: grpc.StatusObject): boolean {
    return status.code === grpc.status.UNAVAILABLE && !this.#metadataSeen &&
      this.#messages === 0 && this.#stream.getPeer() === this.#target;
  }
}

function isStatusNack(status: grpc.StatusObject): boolean {
  // Fn's runner may end with the non-standard code 503, which grpc-js reports as
  // UNKNOWN; the message tells it apart.
  return (status.code === grpc.status.UNKNOWN || (status.code as number) === 503) &&
    status.details === messages.tooBusy;
}

/** A gRPC failure as an `Error` carrying the status (for logs and metrics). */
export function grpcError(status: grpc.StatusObject): Error {
  const name = grpc.status[status.code] ?? String(status.code);
  return Object.assign(new Error(`runner RPC failed: ${name}: ${status.details}`), {
    code: status.code,
  });
}

/**
 * A committed call whose runner went away (or ended the RPC without `CallFinished`):
 * Fn's LB answers 500 `internal server error` to any gRPC error (§1.6.8).
 */
function lostRunner(status: grpc.StatusObject): APIError {
  const detail = status.code === grpc.status.OK
    ? "the runner ended the call without CallFinished"
    : grpcError(status).message;
  return new APIError(500, messages.internal, { cause: new Error(detail) });
}
