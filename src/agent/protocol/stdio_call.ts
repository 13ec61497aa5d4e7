/**
 * The call lifecycle shared by the hot stdin/stdout formats (`http`, `json`): open fresh
 * pipes, write the request frame, read the response frame, enforce the deadline, the
 * client's abort and `maxResponseBytes`, then cut the pipes and decide whether the
 * container can be reused (see {@linkcode StdioChannel} for the pipe-swap rules and
 * which calls a container survives).
 *
 * @module
 */

import type { APIError } from "../../models/api_error.ts";
import type { Logger } from "../../log.ts";
import type { Dispatch, DispatchRequest } from "../container.ts";
import { bodyTooLarge, errorReceiving, internalError, timedOut } from "./call_errors.ts";
import { DispatchSettler } from "./dispatch_settler.ts";
import type { CallPipes, StdioChannel } from "./stdio_channel.ts";

/** A response frame read from stdout. */
export interface StdioResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body bytes of the frame (consumed lazily). */
  readonly body: AsyncIterable<Uint8Array>;
}

/** How one format frames a call. */
export interface StdioExchange {
  /**
   * Writes the request frame; resolves once its last byte is handed to stdin. Marks as
   * skippable the input a function may answer without reading (see `stdio_channel.ts`).
   */
  writeRequest(pipes: CallPipes, request: DispatchRequest): Promise<void>;
  /** Reads the response head (its body stays lazy). */
  readResponse(pipes: CallPipes, request: DispatchRequest): Promise<StdioResponse>;
  /** The client error for a malformed response frame. */
  parseError(err: unknown): APIError;
}

/** Runs one call through `exchange` on `channel`. */
export function runStdioCall(
  channel: StdioChannel,
  exchange: StdioExchange,
  request: DispatchRequest,
  logger: Logger,
): Dispatch {
  const settler = new DispatchSettler();
  if (channel.broken) {
    // An earlier call was cut mid-frame: its leftovers may still be in the streams.
    settler.fail(
      errorReceiving("the container's stdio framing was lost by an earlier call"),
      false,
    );
    return settler;
  }
  const pipes = channel.openCall();
  const fail = (error: APIError) => {
    channel.closeCall(pipes);
    channel.markBroken();
    settler.fail(error, false);
  };
  const complete = () => {
    const left = channel.closeCall(pipes);
    if (left.unconsumedInput || left.excessOutput) {
      logger.info("retiring container: its stdio framing is no longer reliable", { ...left });
    } else if (left.unverifiedInput) {
      // Routine: every call with a body ends so (see stdio_channel.ts).
      logger.debug("retiring container: the function may have left the call's body unread");
    }
    settler.finish({
      reusable: !left.unconsumedInput && !left.unverifiedInput && !left.excessOutput,
    });
  };
  const left = request.deadline.getTime() - Date.now();
  const timer = setTimeout(() => fail(timedOut()), Math.max(0, left));
  const onAbort = () => fail(errorReceiving(request.signal.reason));
  request.signal.addEventListener("abort", onAbort, { once: true });
  settler.finished.then(() => {
    clearTimeout(timer);
    request.signal.removeEventListener("abort", onAbort);
  });
  if (request.signal.aborted) onAbort();
  if (settler.isFinished) return settler;

  exchange.writeRequest(pipes, request).catch((err) => {
    if (!settler.isFinished) fail(errorReceiving(err));
  });
  exchange.readResponse(pipes, request).then(
    (response) => deliver(response, request.maxResponseBytes, settler, fail, complete),
    (err) => {
      if (settler.isFinished) return;
      logger.debug("malformed function response", { call_id: request.callId, error: String(err) });
      fail(
        pipes.output.buffered().length === 0 && isEof(err)
          ? errorReceiving(err)
          : exchange.parseError(err),
      );
    },
  );
  return settler;
}

function isEof(err: unknown): boolean {
  return err instanceof Error && /unexpected EOF/.test(err.message);
}

async function deliver(
  response: StdioResponse,
  maxBytes: number,
  settler: DispatchSettler,
  fail: (e: APIError) => void,
  complete: () => void,
): Promise<void> {
  if (settler.isFinished) return;
  const iterator = response.body[Symbol.asyncIterator]();
  if (maxBytes > 0) {
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        total += next.value.length;
        if (total > maxBytes) return fail(bodyTooLarge());
        chunks.push(next.value.slice());
      }
    } catch (err) {
      return fail(internalError(err));
    }
    if (settler.isFinished) return;
    settler.respond({ ...response, body: fromChunks(chunks) });
    return complete();
  }
  settler.respond({
    status: response.status,
    headers: response.headers,
    body: new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          if (settler.isFinished) throw new Error("the call ended before its body was read");
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            complete();
          } else controller.enqueue(next.value.slice());
        } catch (err) {
          // A deadline or abort cuts the pipes, which ends the frame early: report that cause.
          if (!settler.isFinished) fail(internalError(err));
          const outcome = await settler.finished;
          controller.error(outcome.error ?? internalError(err));
        }
      },
      cancel() {
        // The client left mid-body: the rest of the frame is unread, so framing is lost.
        fail(errorReceiving("client went away"));
      },
    }, { highWaterMark: 1 }),
  });
}

function fromChunks(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}
