/**
 * The hot `json` format (`agent.md` §7): one JSON request object per line on stdin,
 * one JSON response object on stdout.
 *
 * Request: `{"call_id","deadline","body":<string>,"content_type","protocol":{"type":"http",
 * "method","request_url","headers":{"K":["v"]}}}`. Response: `{"body":<string>,
 * "content_type":<string>,"protocol":{"status_code":<int>,"headers":{"K":["v"]}}}`, where
 * `protocol` is optional, a missing or 0 status means 200 and a non-empty `content_type`
 * overrides the protocol's `Content-Type`.
 *
 * Reuse (see `stdio_channel.ts`): the body is a string inside the one-line envelope. A
 * line reader or JSON decoder consumes it with the rest of the line, but a function may
 * also answer from the fields it needs at the front of the line (a bounded or prefix
 * read) and leave the rest, and fnd cannot tell which. So a non-empty body is the
 * skippable part: a body-less call keeps the container hot, any other call retires it.
 * What a body-less line holds is fnd's own envelope, which a function has to read to
 * its newline to find the end of its request, as an `http` function reads its head.
 *
 * @module
 */

import { APIError } from "../../models/api_error.ts";
import type { DispatchRequest } from "../container.ts";
import { canonicalName, forwardableHeaders, rfc3339 } from "./_headers.ts";
import { JsonFrameError, readJsonObject } from "./json_object_reader.ts";
import type { CallPipes } from "./stdio_channel.ts";
import type { StdioExchange, StdioResponse } from "./stdio_call.ts";

/** The request object for `request` with its body text. */
export function jsonRequest(request: DispatchRequest, body: string): Record<string, unknown> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of forwardableHeaders(request.headers, ["host"])) {
    (headers[canonicalName(name)] ??= []).push(value);
  }
  return {
    call_id: request.callId,
    deadline: rfc3339(request.deadline),
    body,
    content_type: request.headers.get("content-type") ?? "",
    protocol: { type: "http", method: request.method, request_url: request.url, headers },
  };
}

interface JsonResponse {
  body?: unknown;
  "content_type"?: unknown;
  protocol?: { "status_code"?: unknown; headers?: Record<string, unknown> };
}

/** Turns a parsed response object into status, headers and body bytes. */
export function parseJsonResponse(
  text: string,
): { status: number; headers: Headers; body: Uint8Array } {
  const parsed = JSON.parse(text) as JsonResponse;
  const headers = new Headers();
  for (const [name, values] of Object.entries(parsed.protocol?.headers ?? {})) {
    for (const v of Array.isArray(values) ? values : [values]) headers.append(name, String(v));
  }
  if (typeof parsed.content_type === "string" && parsed.content_type !== "") {
    headers.set("content-type", parsed.content_type);
  }
  const code = Number(parsed.protocol?.status_code ?? 0);
  const status = Number.isInteger(code) && code >= 100 && code <= 999 ? code : 200;
  const body = typeof parsed.body === "string"
    ? parsed.body
    : parsed.body === null || parsed.body === undefined
    ? ""
    : JSON.stringify(parsed.body);
  return { status, headers, body: new TextEncoder().encode(body) };
}

/** The `json` format's framing. */
export class JsonFormat implements StdioExchange {
  readonly #maxResponseBytes: number;

  constructor(maxResponseBytes: number) {
    this.#maxResponseBytes = maxResponseBytes;
  }

  async writeRequest(pipes: CallPipes, request: DispatchRequest): Promise<void> {
    const body = request.body === null ? "" : await new Response(request.body).text();
    const line = JSON.stringify(jsonRequest(request, body)) + "\n";
    const bytes = new TextEncoder().encode(line);
    await pipes.writeInput(
      new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      { skippable: body !== "" },
    );
  }

  async readResponse(pipes: CallPipes): Promise<StdioResponse> {
    const text = await readJsonObject(pipes.output, this.#maxResponseBytes);
    const rest = pipes.output.buffered();
    if (/[^\s]/.test(new TextDecoder().decode(rest))) {
      throw new JsonFrameError("Excess data in stream");
    }
    const { status, headers, body } = parseJsonResponse(text);
    return { status, headers, body: once(body) };
  }

  parseError(err: unknown): APIError {
    const message = err instanceof Error ? err.message : String(err);
    return new APIError(502, `invalid json response from function err: ${message}`, {
      blame: "user",
    });
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}
