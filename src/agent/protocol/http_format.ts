/**
 * The hot `http` format (`agent.md` §7): each call is written to the container's stdin as
 * one HTTP/1.1 request (request URI = the full request URL, plus Fn's `Fn_call_id`,
 * `Fn_deadline`, `Fn_method`, `Fn_request_url` headers) and one HTTP/1.1 response is
 * read back from stdout. The body goes out with the client's `Content-Length` when it
 * declared one (easy for shell functions), otherwise chunked.
 *
 * Reuse (see `stdio_channel.ts`): a function must read the request head up to its blank
 * line before it knows what it was asked and whether a body follows, but HTTP lets it
 * answer without reading the body (an early answer, or a function that ignores its
 * input). So the body, chunked framing included, is the skippable part: a call with a
 * declared length of 0 or no body keeps the container hot, any other call retires it.
 *
 * @module
 */

import { APIError } from "../../models/api_error.ts";
import type { DispatchRequest } from "../container.ts";
import { canonicalName, forwardableHeaders, isHopByHop, rfc3339 } from "./_headers.ts";
import { headerTooLarge } from "./call_errors.ts";
import { HeaderTooLargeError, readBody, readResponseHead } from "./http_response_reader.ts";
import type { CallPipes } from "./stdio_channel.ts";
import type { StdioExchange, StdioResponse } from "./stdio_call.ts";
import { DEFAULT_MAX_RESPONSE_HEADER_BYTES } from "./http_stream.ts";

const encoder = new TextEncoder();

/** The request head written to stdin, and the declared body length (undefined = chunked). */
export function httpRequestHead(request: DispatchRequest): { head: string; length?: number } {
  const url = new URL(request.url, "http://localhost/");
  const lines = [`${request.method} ${request.url} HTTP/1.1`, `Host: ${url.host}`];
  const declared = request.headers.get("content-length");
  const length = request.body === null
    ? 0
    : /^\d+$/.test(declared ?? "")
    ? Number(declared)
    : undefined;
  for (const [name, value] of forwardableHeaders(request.headers, ["content-length", "host"])) {
    lines.push(`${canonicalName(name)}: ${value.replace(/[\r\n]+/g, " ")}`);
  }
  lines.push(
    `Fn_call_id: ${request.callId}`,
    `Fn_deadline: ${rfc3339(request.deadline)}`,
    `Fn_method: ${request.method}`,
    `Fn_request_url: ${request.url}`,
  );
  lines.push(length === undefined ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`);
  return { head: lines.join("\r\n") + "\r\n\r\n", length };
}

/** Limits `body` to exactly `length` bytes. */
function sized(body: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  let left = length;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (chunk.length > left) {
          controller.error(
            new Error(`the request body is longer than its Content-Length ${length}`),
          );
          return;
        }
        left -= chunk.length;
        controller.enqueue(chunk);
        if (left === 0) controller.terminate();
      },
      flush(controller) {
        if (left > 0) {
          controller.error(
            new Error(`the request body is shorter than its Content-Length ${length}`),
          );
        }
      },
    }),
  );
}

/** Chunked transfer coding of `body`, terminating chunk included. */
function chunked(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (chunk.length === 0) return;
        controller.enqueue(encoder.encode(chunk.length.toString(16) + "\r\n"));
        controller.enqueue(chunk);
        controller.enqueue(encoder.encode("\r\n"));
      },
      flush(controller) {
        controller.enqueue(encoder.encode("0\r\n\r\n"));
      },
    }),
  );
}

/** A one-chunk stream, then the rest of `tail` (if any). */
function prefixed(
  head: Uint8Array,
  tail: ReadableStream<Uint8Array> | null,
): ReadableStream<Uint8Array> {
  let sentHead = false;
  const reader = tail?.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      const next = await reader?.read();
      if (next === undefined || next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The `http` format's framing. */
export class HttpFormat implements StdioExchange {
  readonly #maxHeaderBytes: number;

  /** @param maxHeaderBytes response-head limit; 0 = 10 MiB */
  constructor(maxHeaderBytes: number) {
    this.#maxHeaderBytes = maxHeaderBytes || DEFAULT_MAX_RESPONSE_HEADER_BYTES;
  }

  async writeRequest(pipes: CallPipes, request: DispatchRequest): Promise<void> {
    const { head, length } = httpRequestHead(request);
    let body: ReadableStream<Uint8Array> | null = null;
    if (request.body !== null) {
      body = length === undefined ? chunked(request.body) : sized(request.body, length);
    }
    await pipes.writeInput(prefixed(encoder.encode(head), body), { skippable: length !== 0 });
  }

  async readResponse(pipes: CallPipes): Promise<StdioResponse> {
    const head = await readResponseHead(pipes.output, this.#maxHeaderBytes);
    const headers = new Headers();
    for (const [name, value] of head.headers) {
      const lower = name.toLowerCase();
      if (isHopByHop(name, value) || lower === "content-length") continue;
      try {
        headers.append(name, value);
      } catch {
        // not representable in Headers: drop it
      }
    }
    return { status: head.status, headers, body: readBody(pipes.output, head.framing) };
  }

  parseError(err: unknown): APIError {
    if (err instanceof HeaderTooLargeError) return headerTooLarge();
    const message = err instanceof Error ? err.message : String(err);
    return new APIError(502, `invalid http response from function err: ${message}`, {
      blame: "user",
    });
  }
}
