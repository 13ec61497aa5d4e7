/**
 * A response body that has already arrived whole, decoded without waiting: the common
 * small answer comes in the same read as its head, and handing it on as bytes saves a
 * stream round per piece. Anything unusual (incomplete, malformed, oversized lines) is
 * left to the streaming {@linkcode BodyReader}, which reports it properly.
 *
 * @module
 */

import type { BodyFraming } from "./_http1_head.ts";
import { concatBytes } from "../../bytes.ts";

/** Bytes already received and not yet read, and a way to consume some of them. */
export interface ReceivedBytes {
  /** How many bytes {@linkcode received} would return (without joining them). */
  receivedLength(): number;
  /** Everything received and unread, as one array (may be empty). */
  received(): Uint8Array;
  /** Consumes the first `count` received bytes. */
  consume(count: number): void;
}

/** Longest chunk-size or trailer line decoded here; longer ones go the streaming way. */
const MAX_LINE_BYTES = 1024;

/**
 * Most bytes a whole answer may span here. Larger answers stream even when they have
 * arrived, so that what is queued is never joined into one copy first.
 */
export const WHOLE_ANSWER_MAX_BYTES = 64 * 1024;

/**
 * The whole body of a response with `framing`, when all of it has been received and
 * it is small (see {@linkcode WHOLE_ANSWER_MAX_BYTES}): it is consumed from `source`. Undefined (nothing consumed) when more must be read first or
 * the framing is anything but a plain length or well-formed chunks.
 */
export function takeReceivedBody(
  source: ReceivedBytes,
  framing: BodyFraming,
): Uint8Array | undefined {
  if (framing.kind !== "length" && framing.kind !== "chunked") return undefined;
  const available = source.receivedLength();
  if (framing.kind === "length") {
    if (framing.length > WHOLE_ANSWER_MAX_BYTES || available < framing.length) return undefined;
    const bytes = source.received();
    source.consume(framing.length);
    return bytes.subarray(0, framing.length);
  }
  if (available > WHOLE_ANSWER_MAX_BYTES) return undefined;
  const decoded = decodeChunked(source.received());
  if (decoded === undefined) return undefined;
  source.consume(decoded.used);
  return decoded.body;
}

/**
 * Decodes a chunked body at the start of `bytes` through its last chunk and trailers;
 * undefined when `bytes` does not hold all of it or it is not plainly well-formed.
 */
export function decodeChunked(bytes: Uint8Array): { body: Uint8Array; used: number } | undefined {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = crlfAt(bytes, at);
    if (lineEnd < 0) return undefined;
    const size = chunkSize(bytes, at, lineEnd);
    if (size === undefined) return undefined;
    at = lineEnd + 2;
    if (size === 0) break;
    if (at + size + 2 > bytes.length) return undefined;
    if (bytes[at + size] !== 13 || bytes[at + size + 1] !== 10) return undefined;
    pieces.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
  // Trailers (dropped, as Fn passes none on), then the empty line.
  for (;;) {
    const lineEnd = crlfAt(bytes, at);
    if (lineEnd < 0) return undefined;
    const empty = lineEnd === at;
    at = lineEnd + 2;
    if (empty) break;
  }
  return { body: concatBytes(pieces), used: at };
}

/**
 * Index of the CR of the next CRLF from `from`, within a line limit; -1 if none, and
 * also at a bare LF (which the streaming reader, like Go's, accepts as a line end: it
 * decides such bodies, so both paths always agree).
 */
function crlfAt(bytes: Uint8Array, from: number): number {
  const end = Math.min(bytes.length - 1, from + MAX_LINE_BYTES);
  for (let i = from; i < end; i++) {
    if (bytes[i] === 10) return -1;
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  }
  return -1;
}

/** The hex size of a chunk-size line (extensions after `;` ignored), or undefined. */
function chunkSize(bytes: Uint8Array, from: number, to: number): number | undefined {
  let size = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c === 59) break; // ';' starts an extension
    const digit = c >= 48 && c <= 57
      ? c - 48
      : c >= 97 && c <= 102
      ? c - 87
      : c >= 65 && c <= 70
      ? c - 55
      : -1;
    if (digit < 0 || ++digits > 12) return undefined;
    size = size * 16 + digit;
  }
  return digits === 0 ? undefined : size;
}
