/**
 * The LB side of one call's response: receives the committed runner's messages
 * (`AttemptSink`) and turns them into the `CallResponse` the HTTP layer streams to
 * the client (`lb-runner.md` §1.8, §3.8): `CallResultStart` gives status and headers,
 * `DataFrame`s feed the body stream, `CallFinished` ends it.
 *
 * The head is held back (and the body with it) until the call is over or more than
 * `holdBytes` of body arrived. A Go runner streams part of the output and *then*
 * fails the call (502 `function response body too large`, 504 `Timed out`); Fn's LB
 * buffers whole answers, so its clients get that status and Fn's JSON error body.
 * Holding the first `holdBytes` gives small answers the same; larger ones still
 * stream, and a failure after their head can only error the body stream. A failure
 * before the head is sent rejects `head`.
 *
 * @module
 */

import type { CallOutcome, CallResponse, CallStatus } from "../agent/call.ts";
import { CompleteBody } from "../agent/complete_body.ts";
import { concatBytes } from "../bytes.ts";
import type { CallFinished, HttpRespMeta } from "../grpc/runner_messages.ts";
import { nsToMs, parseWireTime } from "../grpc/wire_time.ts";
import type { Logger } from "../log.ts";
import { APIError, isAPIError, messages } from "../models/api_error.ts";
import type { AttemptSink } from "./runner_attempt.ts";

/**
 * Bytes of response body buffered ahead of a slow client before the runner's stream is
 * paused. High on purpose: pausing a `node:http2` stream under Deno 2.9 can stall it
 * for good (see `runner/incoming_body.ts`); Fn's LB buffers whole responses anyway.
 */
const HIGH_WATER_BYTES = 8 << 20;

/** Body bytes held with the head when `FN_MAX_RESPONSE_SIZE` is not set on the LB. */
export const DEFAULT_RESPONSE_HOLD_BYTES = 64 << 10;

/** What {@linkcode LbResponse} tells its owner. */
export interface LbResponseHooks {
  /** Once, when a runner takes the call. */
  readonly onCommit: () => void;
  /** When the client stops reading the body. */
  readonly onBodyCancel: (reason: unknown) => void;
  /** For every `CallFinished` received (NACKs too). */
  readonly onFinished: (message: Required<CallFinished>) => void;
}

/** How much of a response {@linkcode LbResponse} holds back. */
export interface LbResponseOptions {
  /**
   * The head waits for the end of the call until more than this many body bytes
   * arrived; 0 sends it as soon as the runner does (detached calls: their 202).
   * @default {DEFAULT_RESPONSE_HOLD_BYTES}
   */
  readonly holdBytes?: number;
}

/** Collects one call's response from whichever runner commits. */
export class LbResponse implements AttemptSink {
  /** Resolves with the response head; rejects when the call fails before it. */
  readonly head: Promise<CallResponse>;
  /** Sum of `executionDuration` (ns) over every `CallFinished` received. */
  executionNs = 0;
  readonly #onCommit: () => void;
  readonly #onBodyCancel: (reason: unknown) => void;
  readonly #onFinished: (message: Required<CallFinished>) => void;
  readonly #log: Logger;
  readonly #holdBytes: number;
  #resolveHead!: (r: CallResponse) => void;
  #rejectHead!: (e: unknown) => void;
  #headSent = false;
  #status = 200;
  #headers: Headers | undefined;
  /** Body chunks received while the head is held. */
  #held: Uint8Array[] | undefined;
  #heldBytes = 0;
  #body: ReadableStreamDefaultController<Uint8Array> | undefined;
  #drained: (() => void) | undefined;
  #finished: Required<CallFinished> | undefined;
  #resolveDone!: (o: CallOutcome) => void;
  readonly #done: Promise<CallOutcome>;

  /** Hooks into the call's life, and where to log. */
  constructor(hooks: LbResponseHooks, log: Logger, options: LbResponseOptions = {}) {
    this.#holdBytes = options.holdBytes ?? DEFAULT_RESPONSE_HOLD_BYTES;
    this.#onCommit = hooks.onCommit;
    this.#onBodyCancel = hooks.onBodyCancel;
    this.#onFinished = hooks.onFinished;
    this.#log = log;
    this.head = new Promise((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // The HTTP layer may never await `head` when the call fails early.
    this.head.catch(() => {});
    this.#done = new Promise((resolve) => this.#resolveDone = resolve);
  }

  /** The stream a response that does not fit in the hold is sent through. */
  #openBody(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#body = controller;
      },
      pull: () => this.#wake(),
      cancel: (reason) => {
        this.#body = undefined;
        this.#wake();
        this.#onBodyCancel(reason);
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }));
  }

  /** See {@linkcode AttemptSink.committed}. */
  committed(): void {
    this.#onCommit();
  }

  /** See {@linkcode AttemptSink.resultStart}. */
  resultStart(meta: HttpRespMeta): void {
    const headers = new Headers();
    for (const { key, value } of meta.headers) {
      try {
        headers.append(key, value);
      } catch {
        this.#log.warn("runner sent an invalid response header; dropped", { header: key });
      }
    }
    if (this.#headSent) return;
    this.#status = meta.statusCode;
    this.#headers = headers;
    if (this.#holdBytes === 0) this.#sendHead();
  }

  /** See {@linkcode AttemptSink.data}. */
  data(bytes: Uint8Array): Promise<void> | undefined {
    if (!this.#headSent) {
      if (this.#holdBytes > 0) {
        (this.#held ??= []).push(bytes);
        this.#heldBytes += bytes.byteLength;
        if (this.#heldBytes <= this.#holdBytes) return undefined;
        // Too much to hold: stream from here on (the held chunks go first).
        this.#sendHead();
        return this.#backpressure();
      }
      this.#sendHead();
    }
    const body = this.#body;
    if (body === undefined) return undefined;
    body.enqueue(bytes);
    return this.#backpressure();
  }

  #backpressure(): Promise<void> | undefined {
    const body = this.#body;
    if (body === undefined || (body.desiredSize ?? 1) > 0) return undefined;
    return new Promise<void>((resolve) => this.#drained = resolve);
  }

  /** See {@linkcode AttemptSink.finished}. */
  finished(message: Required<CallFinished>): void {
    this.#finished = message;
  }

  /** See {@linkcode AttemptSink.observe}: adds up execution time and reports timings. */
  observe(message: Required<CallFinished>): void {
    this.executionNs += message.executionDuration;
    this.#onFinished(message);
  }

  /**
   * Ends the response once placement is over: `error` undefined = success.
   *
   * @returns the call's outcome (also what `done` resolves with)
   */
  complete(error: unknown, status: CallStatus): CallOutcome {
    const outcome = this.#outcome(error, status);
    if (error === undefined) {
      if (this.#headSent) this.#closeBody();
      else this.#sendWhole();
    } else if (!this.#headSent) {
      // Like Fn: what the runner sent before failing is discarded.
      this.#held = undefined;
      this.#rejectHead(error);
    } else {
      this.#failBody(error);
    }
    this.#resolveDone(outcome);
    return outcome;
  }

  /**
   * Resolves `head` (status and headers as received, else 200) with a body stream, and
   * releases the held chunks into it.
   */
  #sendHead(): void {
    if (this.#headSent) return;
    this.#headSent = true;
    const body = this.#openBody();
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) { for (const chunk of held) this.#body?.enqueue(chunk); }
    this.#resolveHead({
      status: this.#status,
      headers: this.#headers ?? new Headers(),
      body,
      done: this.#done,
    });
  }

  /** Resolves `head` with the whole answer, held until the call was over, as bytes. */
  #sendWhole(): void {
    this.#headSent = true;
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#resolveHead({
      status: this.#status,
      headers: this.#headers ?? new Headers(),
      body: new CompleteBody(concatBytes(held)),
      done: this.#done,
    });
  }

  #wake(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }

  #closeBody(): void {
    try {
      this.#body?.close();
    } catch {
      // the client already cancelled it
    }
    this.#wake();
  }

  #failBody(error: unknown): void {
    try {
      this.#body?.error(error);
    } catch {
      // the client already cancelled it
    }
    this.#wake();
  }

  #outcome(error: unknown, status: CallStatus): CallOutcome {
    const f = this.#finished;
    const startedAt = parseWireTime(f?.startedAt);
    return {
      status,
      error: error === undefined ? undefined : toAPIError(error),
      schedulerMs: nsToMs(f?.schedulerDuration ?? 0),
      executionMs: nsToMs(f?.executionDuration ?? 0),
      ...(startedAt === undefined ? {} : { startedAt }),
      completedAt: parseWireTime(f?.completedAt) ?? new Date(),
    };
  }
}

function toAPIError(error: unknown): APIError {
  return isAPIError(error) ? error : new APIError(500, messages.internal, { cause: error });
}
