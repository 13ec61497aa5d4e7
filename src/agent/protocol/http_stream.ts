/**
 * The http-stream protocol (`agent.md` §1.5–1.9): one `POST /call` per call over the
 * container's Unix socket with `node:http`, through a per-container agent that keeps at
 * most one connection, idle for at most 1 s. Bodies stream both ways with backpressure;
 * the response is mapped to Fn's outcomes (§1.7).
 *
 * @module
 */

import http from "node:http";
import type { Logger } from "../../log.ts";
import type { Dispatch, DispatchRequest } from "../container.ts";
import { canonicalName, forwardableHeaders, headersFromRaw, rfc3339 } from "./_headers.ts";
import {
  bodyTooLarge,
  errorReceiving,
  functionFailed,
  headerTooLarge,
  internalError,
  invalidResponse,
  timedOut,
} from "./call_errors.ts";
import { DispatchSettler } from "./dispatch_settler.ts";
import { pumpBody } from "./_pump.ts";

/** Go's default response-header limit, used when `FN_MAX_HDR_RESPONSE_SIZE` is 0. */
export const DEFAULT_MAX_RESPONSE_HEADER_BYTES = 10 * 1024 * 1024;

/** Options for {@linkcode HttpStreamClient}. */
export interface HttpStreamOptions {
  /** `<iofs dir>/lsnr.sock` as fnd sees it. */
  readonly socketPath: string;
  /** 0 = 10 MiB. */
  readonly maxResponseHeaderBytes: number;
  readonly logger: Logger;
}

/** Talks http-stream to one container. */
export class HttpStreamClient {
  readonly #options: HttpStreamOptions;
  readonly #agent: http.Agent;

  constructor(options: HttpStreamOptions) {
    this.#options = options;
    this.#agent = new http.Agent({
      keepAlive: true,
      maxSockets: 1,
      maxFreeSockets: 1,
      timeout: 1000,
    });
  }

  /** Sends one call; see {@linkcode Dispatch}. */
  dispatch(request: DispatchRequest): Dispatch {
    const settler = new DispatchSettler();
    new HttpStreamCall(this.#options, this.#agent, request, settler).start();
    return settler;
  }

  /** Drops the kept-alive connection. */
  close(): void {
    this.#agent.destroy();
  }
}

/** The headers sent to the function: the call's, hop-by-hop removed, Fn's set on top. */
export function callHeaders(request: DispatchRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of forwardableHeaders(request.headers, ["content-length", "host"])) {
    out[canonicalName(name)] = value;
  }
  out["Fn-Call-Id"] = request.callId;
  out["Fn-Deadline"] = rfc3339(request.deadline);
  if (request.body === null) out["Content-Length"] = "0";
  return out;
}

/** One call in flight. */
class HttpStreamCall {
  readonly #options: HttpStreamOptions;
  readonly #agent: http.Agent;
  readonly #request: DispatchRequest;
  readonly #settler: DispatchSettler;
  #client: http.ClientRequest | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #onAbort = () => this.#clientGone();

  constructor(
    options: HttpStreamOptions,
    agent: http.Agent,
    request: DispatchRequest,
    settler: DispatchSettler,
  ) {
    this.#options = options;
    this.#agent = agent;
    this.#request = request;
    this.#settler = settler;
    settler.finished.then(() => this.#cleanup());
  }

  start(): void {
    const req = this.#request;
    if (req.signal.aborted) return this.#settler.fail(errorReceiving(req.signal.reason), true);
    const left = req.deadline.getTime() - Date.now();
    if (left <= 0) return this.#settler.fail(timedOut(), true);
    this.#timer = setTimeout(() => this.#deadline(), left);
    req.signal.addEventListener("abort", this.#onAbort, { once: true });
    const client = http.request({
      socketPath: this.#options.socketPath,
      agent: this.#agent,
      method: "POST",
      path: "/call",
      headers: callHeaders(req),
      maxHeaderSize: this.#options.maxResponseHeaderBytes || DEFAULT_MAX_RESPONSE_HEADER_BYTES,
    });
    this.#client = client;
    client.on("response", (res) => this.#onResponse(res));
    client.on("error", (err) => this.#onTransportError(err));
    if (req.body === null) client.end();
    else {
      pumpBody(req.body, client).catch((err) => {
        // The client's body failed (client went away mid-upload): nothing useful can follow.
        this.#options.logger.debug("request body copy failed", { call_id: req.callId, error: err });
        client.destroy(err);
      });
    }
  }

  #onTransportError(err: Error & { code?: string }): void {
    if (this.#settler.responded) return; // body-phase errors are handled by the body reader
    if (err.code === "HPE_HEADER_OVERFLOW") return this.#settler.fail(headerTooLarge(), false);
    if (this.#timedOut) return this.#settler.fail(timedOut(err), false);
    this.#options.logger.debug("function transport error", {
      call_id: this.#request.callId,
      error: err.message,
    });
    this.#settler.fail(errorReceiving(err), false);
  }

  #onResponse(res: http.IncomingMessage): void {
    const status = res.statusCode ?? 0;
    if (status === 200) return void this.#onSuccess(res);
    if (status === 502 || status === 504) {
      // The function reported its own failure or timeout: the container stays usable, so
      // drain the body to keep the connection in a clean state.
      this.#settler.fail(status === 502 ? functionFailed() : timedOut(), true);
      res.resume();
      return;
    }
    this.#options.logger.info(`FDK Error, invalid status code ${status}`, {
      call_id: this.#request.callId,
    });
    res.destroy();
    this.#settler.fail(invalidResponse(`FDK Error, invalid status code ${status}`), false);
  }

  async #onSuccess(res: http.IncomingMessage): Promise<void> {
    const headers = headersFromRaw(res.rawHeaders);
    const max = this.#request.maxResponseBytes;
    if (max <= 0) {
      this.#settler.respond({ status: 200, headers, body: this.#streamBody(res) });
      return;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of res as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > max) {
          res.destroy();
          return this.#settler.fail(bodyTooLarge(), true);
        }
        chunks.push(new Uint8Array(chunk));
      }
    } catch (err) {
      this.#bodyError(err);
      return;
    }
    headers.delete("content-length");
    this.#settler.respond({ status: 200, headers, body: streamOf(chunks) });
    this.#settler.finish({ reusable: true });
  }

  /** The response body as a pull-driven stream: reads from the socket only when asked. */
  #streamBody(res: http.IncomingMessage): ReadableStream<Uint8Array> {
    const iterator = (res as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            this.#settler.finish({ reusable: true });
          } else controller.enqueue(next.value);
        } catch (err) {
          controller.error(this.#bodyError(err));
        }
      },
      cancel: () => {
        // The client left after the headers: Fn keeps such a container.
        res.destroy();
        this.#settler.finish({ reusable: true });
      },
    }, { highWaterMark: 1 });
  }

  /** Settles a failure while reading the body and returns the error for the stream. */
  #bodyError(err: unknown): Error {
    const error = this.#timedOut ? timedOut(err) : internalError(err);
    this.#options.logger.debug("function response body copy failed", {
      call_id: this.#request.callId,
      error: err instanceof Error ? err.message : String(err),
    });
    this.#settler.fail(error, false);
    return error;
  }

  #deadline(): void {
    this.#timedOut = true;
    if (!this.#settler.responded) this.#settler.fail(timedOut(), false);
    this.#client?.destroy(new Error("deadline exceeded"));
  }

  #clientGone(): void {
    if (this.#settler.isFinished) return;
    // Before the headers the request is aborted and the container cannot be trusted;
    // after them the body reader sees the cancel (or this destroy) and keeps it.
    const reusable = this.#settler.responded;
    this.#client?.destroy(new Error("client went away"));
    this.#settler.fail(errorReceiving(this.#request.signal.reason), reusable);
  }

  #cleanup(): void {
    clearTimeout(this.#timer);
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
