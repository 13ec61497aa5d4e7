/**
 * One http-stream call (`agent.md` §1.5, §1.7, §1.10, §4.3): the `POST /call` goes out on
 * the container's connection while the response is read back, and every way the round
 * trip can end is mapped to Fn's outcome — the client-visible error and whether the
 * container may take another call. The response body reaches the caller as it is read
 * from the socket, never buffered whole (unless `maxResponseBytes` asks for a clean 502).
 *
 * Every failure path ends in exactly one settle of the {@linkcode DispatchSettler};
 * nothing here rejects where no one listens.
 *
 * @module
 */

import { deadlines, type ScheduledDeadline } from "../../deadline_scheduler.ts";
import type { Logger } from "../../log.ts";
import { CompleteBody } from "../complete_body.ts";
import type { DispatchRequest } from "../container.ts";
import { canonicalName, headersFromRaw, isHopByHop, rfc3339 } from "./_headers.ts";
import type { ResponseHead } from "./_http1_head.ts";
import { ResponseHeadTooLargeError } from "./_http1_head.ts";
import { BodyReader, readResponseHead } from "./_http1_reader.ts";
import { takeReceivedBody } from "./_received_body.ts";
import { RequestUpload } from "./_request_upload.ts";
import type { UdsConnection } from "./_uds_connection.ts";
import type { UdsPool } from "./_uds_pool.ts";
import {
  bodyTooLarge,
  errorReceiving,
  functionFailed,
  headerTooLarge,
  internalError,
  invalidResponse,
  timedOut,
} from "./call_errors.ts";
import type { DispatchSettler } from "./dispatch_settler.ts";

/** What a call needs besides the request. */
export interface HttpStreamCallOptions {
  /** The container's connections. */
  readonly pool: UdsPool;
  /** The response head limit in bytes (already resolved: never 0). */
  readonly maxResponseHeaderBytes: number;
  readonly logger: Logger;
}

/** The header fields sent to the function: the call's, hop-by-hop removed, Fn's on top. */
export function callHeaderFields(request: DispatchRequest): [string, string][] {
  const fields: [string, string][] = [];
  // One pass over the call's headers (names come lower-cased from `Headers`).
  for (const [name, value] of request.headers) {
    if (name === "content-length" || name === "host" || name === "fn-call-id") continue;
    if (name === "fn-deadline" || isHopByHop(name, value)) continue;
    fields.push([canonicalName(name), value]);
  }
  fields.push(["Fn-Call-Id", request.callId], ["Fn-Deadline", rfc3339(request.deadline)]);
  return fields;
}

/** One call in flight; see the module doc. */
export class HttpStreamCall {
  readonly #options: HttpStreamCallOptions;
  readonly #request: DispatchRequest;
  readonly #settler: DispatchSettler;
  /** The call's deadline passed. */
  #timedOut = false;
  #deadline: ScheduledDeadline | undefined;
  #conn: UdsConnection | undefined;
  #upload: RequestUpload | undefined;
  /** The function's response head arrived: from here on a client abort keeps the container. */
  #headReceived = false;
  /** Why the caller's body failed, when it did (the cause of the call's failure). */
  #sourceError: unknown;
  readonly #onAbort = () => this.#aborted();
  readonly #onDeadline = () => {
    this.#timedOut = true;
    this.#aborted();
  };

  constructor(options: HttpStreamCallOptions, request: DispatchRequest, settler: DispatchSettler) {
    this.#options = options;
    this.#request = request;
    this.#settler = settler;
  }

  /** Starts the exchange; the outcome arrives through the settler. */
  start(): void {
    const req = this.#request;
    // Nothing was sent yet, so the container is untouched.
    if (req.signal.aborted) return this.#settler.fail(errorReceiving(req.signal.reason), true);
    const deadlineMs = req.deadline.getTime();
    if (deadlineMs <= Date.now()) return this.#settler.fail(timedOut(), true);
    // One shared timer for all calls' deadlines, and no combined signal: both cost
    // ~10 µs per call, and the deadline almost never fires.
    this.#deadline = deadlines.schedule(deadlineMs, this.#onDeadline);
    req.signal.addEventListener("abort", this.#onAbort, { once: true });
    this.#settler.finished.then(() => this.#cleanup());
    this.#exchange().catch((err) => this.#failHard(err));
  }

  async #exchange(): Promise<void> {
    let head: ResponseHead;
    try {
      const conn = await this.#options.pool.acquire();
      this.#conn = conn;
      // The call may have ended while dialing: the abort handler could not close this one.
      if (this.#settler.isFinished) return conn.close();
      const req = this.#request;
      this.#upload = new RequestUpload(
        conn,
        callHeaderFields(req),
        { stream: req.body, ...(req.bodyLength === undefined ? {} : { length: req.bodyLength }) },
        (err) => this.#sourceFailed(err),
      );
      head = await readResponseHead(conn, this.#options.maxResponseHeaderBytes);
    } catch (err) {
      return this.#failBeforeHead(err);
    }
    this.#headReceived = true;
    if (this.#settler.isFinished) return this.#release(false);
    // The caller's body failed while the head was on its way (the connection is already
    // closed): the request never went out whole, so the answer cannot count.
    if (this.#conn === undefined) return this.#failBeforeHead(this.#sourceError);
    const status = head.status;
    if (status === 200) return await this.#succeed(head);
    // The connection is not reused after a failure answer; the container may be.
    this.#release(false);
    if (status === 502) return this.#settler.fail(functionFailed(), true);
    if (status === 504) return this.#settler.fail(timedOut(), true);
    const reason = `FDK Error, invalid status code ${status}`;
    this.#options.logger.info(reason, { call_id: this.#request.callId });
    this.#settler.fail(invalidResponse(reason), false);
  }

  /** The function never answered: a transport error, a bad head, or an abort. */
  #failBeforeHead(err: unknown): void {
    this.#release(false);
    if (this.#settler.isFinished) return; // the abort handler already settled the call
    if (err instanceof ResponseHeadTooLargeError) {
      return this.#settler.fail(headerTooLarge(), false);
    }
    this.#options.logger.debug("function transport error", {
      call_id: this.#request.callId,
      error: err instanceof Error ? err.message : String(err),
    });
    this.#settler.fail(errorReceiving(this.#sourceError ?? err), false);
  }

  async #succeed(head: ResponseHead): Promise<void> {
    const headers = headersFromRaw(head.rawHeaders);
    const max = this.#request.maxResponseBytes;
    if (this.#answerReceived(head, headers, max)) return;
    const body = new BodyReader(this.#conn!, head.framing);
    if (max <= 0) {
      this.#settler.respond({ status: 200, headers, body: this.#stream(body, head) });
      return;
    }
    // A limit means the whole body must be seen before the head can go out (a clean 502).
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) {
        total += chunk.length;
        if (total > max) {
          this.#release(false);
          return this.#settler.fail(bodyTooLarge(), true);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      this.#bodyFailed(err);
      return;
    }
    headers.delete("content-length");
    this.#bodyDone(head);
    this.#settler.respond({ status: 200, headers, body: streamOf(chunks) });
    this.#settler.finish({ reusable: true });
  }

  /**
   * Answers at once when the whole body came in with the head (a small answer): the
   * call is over, and the body goes on as bytes. Returns whether it answered.
   */
  #answerReceived(head: ResponseHead, headers: Headers, max: number): boolean {
    const bytes = takeReceivedBody(this.#conn!, head.framing);
    if (bytes === undefined) return false;
    if (max > 0 && bytes.length > max) {
      this.#release(false);
      this.#settler.fail(bodyTooLarge(), true);
      return true;
    }
    if (max > 0) headers.delete("content-length");
    this.#bodyDone(head);
    this.#settler.respond({ status: 200, headers, body: new CompleteBody(bytes) });
    this.#settler.finish({ reusable: true });
    return true;
  }

  /** The body as a pull-driven stream: the socket is read only when the caller asks. */
  #stream(body: BodyReader, head: ResponseHead): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const chunk = await body.next();
          if (chunk !== null) return controller.enqueue(chunk);
          controller.close();
          this.#bodyDone(head);
          this.#settler.finish({ reusable: true });
        } catch (err) {
          controller.error(this.#bodyFailed(err));
        }
      },
      cancel: () => {
        // The caller (its client) left after the head: Fn keeps such a container.
        this.#release(false);
        this.#settler.finish({ reusable: true });
      },
    }, { highWaterMark: 0 });
  }

  /** The whole body was read: keep the connection if the exchange left it clean. */
  #bodyDone(head: ResponseHead): void {
    const aborted = this.#timedOut || this.#request.signal.aborted;
    this.#release(head.keepAlive && this.#upload?.complete === true && !aborted);
  }

  /** Settles a failure while reading the body; returns the error for the stream. */
  #bodyFailed(err: unknown): Error {
    this.#release(false);
    const clientGone = this.#request.signal.aborted && !this.#timedOut;
    const error = this.#timedOut ? timedOut(err) : internalError(err);
    if (this.#settler.isFinished || clientGone) return error;
    this.#options.logger.debug("function response body copy failed", {
      call_id: this.#request.callId,
      error: err instanceof Error ? err.message : String(err),
    });
    // Better than Fn (which keeps it): a function that broke mid-body is not trusted again.
    this.#settler.fail(error, false);
    return error;
  }

  /** The caller's body failed (its client left mid-upload, or it was too large). */
  #sourceFailed(err: unknown): void {
    this.#sourceError = err;
    this.#options.logger.debug("request body copy failed", {
      call_id: this.#request.callId,
      error: err instanceof Error ? err.message : String(err),
    });
    // Half a request is on the wire: the exchange cannot be finished. Closing the socket
    // makes the pending head (or body) read fail and report it.
    this.#release(false);
  }

  /** The deadline passed or the client went away. */
  #aborted(): void {
    if (this.#settler.isFinished) return;
    this.#release(false);
    if (this.#timedOut) return this.#settler.fail(timedOut(), false);
    // Before the function's head the container cannot be trusted (Fn kills it); after it,
    // only the rest of the body is dropped.
    this.#settler.fail(errorReceiving(this.#request.signal.reason), this.#headReceived);
  }

  /** Ends this call's use of the connection: back to the pool, or closed. */
  #release(keep: boolean): void {
    const conn = this.#conn;
    if (conn === undefined) return;
    this.#conn = undefined;
    if (!keep) this.#upload?.stop();
    if (keep) this.#options.pool.release(conn);
    else conn.close();
  }

  /** A bug, not a function failure: never leave the call unsettled. */
  #failHard(err: unknown): void {
    this.#release(false);
    this.#options.logger.error("http-stream call failed unexpectedly", {
      call_id: this.#request.callId,
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    this.#settler.fail(internalError(err), false);
  }

  #cleanup(): void {
    this.#deadline?.cancel();
    this.#request.signal.removeEventListener("abort", this.#onAbort);
  }
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}
