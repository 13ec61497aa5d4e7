/**
 * Writes one `POST /call` to a function's socket: the head, then the caller's body as
 * it arrives, chunked (an empty or absent body goes out as `Content-Length: 0`, like
 * Go's client). Whatever is ready at once is sent in one write, so a small call costs
 * a single syscall; the next chunk is read only once the socket took the previous one.
 *
 * @module
 */

import { encodeRequestHead, latin1Bytes } from "./_http1_head.ts";
import type { UdsConnection } from "./_uds_connection.ts";
import { concatBytes } from "../../bytes.ts";

/** Bytes gathered before they are written even if more are ready. */
const FLUSH_BYTES = 64 * 1024;
/** Chunks smaller than this are copied into one write with their neighbours. */
const COPY_MAX_BYTES = 16 * 1024;
const CRLF = new Uint8Array([13, 10]);
const LAST_CHUNK = new Uint8Array([48, 13, 10, 13, 10]); // "0\r\n\r\n"
/** Microtask turns {@linkcode peek} waits for a read that is about to complete. */
const PEEK_TURNS = 8;

/** How the upload ended. */
export type UploadEnd = "sent" | "stopped" | "socket-error" | "source-error";

/** The caller's body, and its length when the client declared it. */
export interface UploadBody {
  readonly stream: ReadableStream<Uint8Array> | null;
  /**
   * The declared length: once that much was sent the request is complete, without
   * waiting for the stream to report its end (one event-loop turn less per call).
   */
  readonly length?: number;
}

/** Called once when the caller's body fails (the exchange cannot be completed). */
export type SourceErrorHandler = (error: unknown) => void;

/** One request being written. */
export class RequestUpload {
  /** Settles (never rejects) when the upload is over. */
  readonly ended: Promise<UploadEnd>;
  readonly #conn: UdsConnection;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #length: number | undefined;
  #complete = false;
  #stopped = false;

  /**
   * Starts writing at once.
   *
   * @param fields header fields, without `Host` and body framing
   */
  constructor(
    conn: UdsConnection,
    fields: readonly (readonly [string, string])[],
    body: UploadBody,
    onSourceError: SourceErrorHandler,
  ) {
    this.#conn = conn;
    this.#length = body.length;
    // A declared empty body is not read at all.
    this.#reader = body.length === 0 ? undefined : body.stream?.getReader();
    this.ended = this.#run(fields).then(
      () => this.#complete ? "sent" as const : "stopped" as const,
      (err: unknown) => {
        if (this.#stopped) return "stopped" as const;
        if (err instanceof SourceError) {
          onSourceError(err.cause);
          return "source-error" as const;
        }
        return "socket-error" as const;
      },
    ).finally(() => this.#release());
  }

  /** Whether the whole request went out. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Stops sending (the response is over or failed) and cancels the caller's body. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reader?.cancel().catch(() => {});
  }

  async #run(fields: readonly (readonly [string, string])[]): Promise<void> {
    const head = (framing: readonly [string, string]) =>
      encodeRequestHead("/call", [["Host", "localhost"], ...fields, framing]);
    const reader = this.#reader;
    let pending = reader?.read();
    let ready = pending === undefined ? undefined : await fromSource(peek(pending));
    if (pending === undefined || ready?.done) {
      await this.#conn.write(head(["Content-Length", "0"]));
      this.#complete = true;
      return;
    }
    const parts: Uint8Array[] = [head(["Transfer-Encoding", "chunked"])];
    let size = parts[0]!.length;
    let sent = 0;
    while (!this.#stopped) {
      if (ready === undefined || size >= FLUSH_BYTES) {
        await this.#flush(parts);
        size = 0;
        ready ??= await fromSource(pending);
      }
      if (this.#stopped) return;
      if (ready.done) {
        parts.push(LAST_CHUNK);
        await this.#flush(parts);
        this.#complete = true;
        return;
      }
      const data = ready.value;
      if (data.length >= COPY_MAX_BYTES) {
        // Big chunks go out as they are; only the framing around them is gathered.
        parts.push(sizeLine(data.length));
        await this.#flush(parts);
        await this.#conn.write(data);
        parts.push(CRLF);
        size = CRLF.length;
      } else {
        size += frame(data, parts);
      }
      sent += data.length;
      if (this.#length !== undefined && sent >= this.#length) {
        if (sent > this.#length) {
          throw new SourceError(new Error("the request body is longer than its Content-Length"));
        }
        // All that was declared is here: end the request now (Fn frames it chunked too).
        parts.push(LAST_CHUNK);
        await this.#flush(parts);
        this.#complete = true;
        return;
      }
      pending = reader!.read();
      ready = await fromSource(peek(pending));
    }
  }

  async #flush(parts: Uint8Array[]): Promise<void> {
    if (parts.length === 0) return;
    const bytes = concatBytes(parts);
    parts.length = 0;
    await this.#conn.write(bytes);
  }

  /**
   * Cancels the caller's body unless all of it went out. The reader keeps its lock:
   * nobody reads the body after the upload, and `releaseLock()` costs a `TypeError`
   * with a stack trace (about 8 µs) on every call.
   */
  #release(): void {
    if (!this.#complete) this.#reader?.cancel().catch(() => {});
  }
}

/** The caller's body failed (as opposed to the socket). */
class SourceError extends Error {
  constructor(cause: unknown) {
    super("the request body failed", { cause });
  }
}

/** Awaits a read of the caller's body, marking its failures (and non-bytes) as {@linkcode SourceError}. */
async function fromSource<T extends ReadableStreamReadResult<Uint8Array> | undefined>(
  read: Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await read;
  } catch (err) {
    throw new SourceError(err);
  }
  if (result !== undefined && !result.done && !(result.value instanceof Uint8Array)) {
    throw new SourceError(new TypeError("the request body must be a stream of Uint8Array"));
  }
  return result;
}

/**
 * The result of `promise` if it settles within a few microtask turns, else undefined. A
 * chunk already received (a small request body) arrives within two turns, so head and
 * body go out in one write; a client still uploading is not waited for.
 */
async function peek<T>(promise: Promise<T>): Promise<T | undefined> {
  let settled: { value: T } | { error: unknown } | undefined;
  promise.then((value) => (settled = { value }), (error) => (settled = { error }));
  for (let turn = 0; turn < PEEK_TURNS && settled === undefined; turn++) await null;
  if (settled === undefined) return undefined;
  if ("error" in settled) throw settled.error;
  return settled.value;
}

/** Appends `data` as one chunk; returns the bytes added. */
function frame(data: Uint8Array, parts: Uint8Array[]): number {
  if (data.length === 0) return 0; // a zero-size chunk would end the body
  const line = sizeLine(data.length);
  parts.push(line, data, CRLF);
  return line.length + data.length + CRLF.length;
}

/** `<hex size>\r\n`. */
function sizeLine(size: number): Uint8Array {
  return latin1Bytes(`${size.toString(16)}\r\n`);
}
