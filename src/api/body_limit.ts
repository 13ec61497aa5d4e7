/**
 * `FN_MAX_REQUEST_SIZE` (`api-v2.md` §1.6): a declared `Content-Length` over the limit
 * is refused before anything is read; a chunked body that grows past it fails with the
 * same status (fnd's fix of Fn's 400/502, DESIGN.md). Shared by /v2 and the invoke and
 * trigger entry points.
 *
 * @module
 */

import { concatBytes } from "../bytes.ts";
import { APIError } from "../models/api_error.ts";

/** 413 for a declared length: `Content-Length too large for this server, <n> > max <max>`. */
export function contentLengthTooLarge(length: number, maxBytes: number): APIError {
  return new APIError(
    413,
    `Content-Length too large for this server, ${length} > max ${maxBytes}`,
  );
}

/** 413 for a body without a declared length that grew past the limit. */
export function bodyTooLarge(maxBytes: number): APIError {
  return new APIError(
    413,
    `Request body too large for this server, more than max ${maxBytes} bytes were sent`,
  );
}

/**
 * The 413 error for a request whose declared `Content-Length` exceeds `maxBytes`, or
 * undefined when it is within the limit, undeclared, or the limit is 0 (unlimited).
 */
export function checkDeclaredLength(req: Request, maxBytes: number): APIError | undefined {
  if (maxBytes <= 0) return undefined;
  const declared = req.headers.get("content-length");
  if (declared === null || !/^\d+$/.test(declared.trim())) return undefined;
  const length = Number(declared.trim());
  return length > maxBytes ? contentLengthTooLarge(length, maxBytes) : undefined;
}

/**
 * Wraps `body` so that reading past `maxBytes` errors the stream with
 * {@linkcode bodyTooLarge} (and cancels the source). `maxBytes` 0 returns `body` as is.
 */
export function limitBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): ReadableStream<Uint8Array> {
  if (maxBytes <= 0) return body;
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(bodyTooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Reads the whole request body, refusing more than `maxBytes` (0 = unlimited).
 *
 * @throws {APIError} 413 when the body is larger than the limit
 */
export async function readBodyLimited(req: Request, maxBytes: number): Promise<Uint8Array> {
  if (req.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // The reader keeps its lock (the body is used up either way): `releaseLock()` would
  // cost a TypeError with a stack trace per request.
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (maxBytes > 0 && size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}
