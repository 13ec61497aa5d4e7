/**
 * Reads one HTTP/1.1 response from a byte source (a hot `http`-format container's
 * stdout): status line, headers, then a body framed by `Content-Length` or chunked
 * encoding, streamed without buffering it whole. Bytes after the frame are pushed back.
 *
 * @module
 */

import type { ByteSource } from "./output_pipe.ts";
import { concatBytes } from "../../bytes.ts";

/** A malformed response. */
export class HttpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpParseError";
  }
}

/** The response head is larger than allowed. */
export class HeaderTooLargeError extends HttpParseError {
  constructor(limit: number) {
    super(`server response headers exceeded ${limit} bytes`);
    this.name = "HeaderTooLargeError";
  }
}

/** How the body is framed. */
export type BodyFraming =
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly framing: BodyFraming;
}

/** Reads lines (LF or CRLF) from a source, counting bytes against a limit. */
export class LineReader {
  readonly #src: ByteSource;
  #used = 0;
  readonly #limit: number;

  constructor(src: ByteSource, limit: number) {
    this.#src = src;
    this.#limit = limit;
  }

  /** The next line without its terminator; throws at the end of the source. */
  async readLine(): Promise<string> {
    const parts: Uint8Array[] = [];
    while (true) {
      const chunk = await this.#src.read();
      if (chunk === null) throw new HttpParseError("unexpected EOF");
      const nl = chunk.indexOf(10);
      const take = nl >= 0 ? chunk.subarray(0, nl + 1) : chunk;
      this.#used += take.length;
      if (this.#used > this.#limit) throw new HeaderTooLargeError(this.#limit);
      parts.push(take);
      if (nl >= 0) {
        this.#src.unread(chunk.subarray(nl + 1));
        const line = new TextDecoder().decode(concatBytes(parts));
        return line.replace(/\r?\n$/, "");
      }
    }
  }
}

/**
 * Reads the status line and headers.
 *
 * @throws {HttpParseError} on a malformed head; {@linkcode HeaderTooLargeError} past the limit
 */
export async function readResponseHead(
  src: ByteSource,
  maxHeaderBytes: number,
): Promise<ResponseHead> {
  const lines = new LineReader(src, maxHeaderBytes);
  let statusLine = await lines.readLine();
  while (statusLine === "") statusLine = await lines.readLine(); // tolerate blank lines between frames
  const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})(?: .*)?$/);
  if (!m) {
    throw new HttpParseError(`malformed HTTP response ${JSON.stringify(statusLine.slice(0, 100))}`);
  }
  const headers: [string, string][] = [];
  while (true) {
    const line = await lines.readLine();
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpParseError(`malformed MIME header line: ${line.slice(0, 100)}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), headers, framing: framingOf(headers) };
}

function framingOf(headers: readonly (readonly [string, string])[]): BodyFraming {
  const te = headers.find(([k]) => k.toLowerCase() === "transfer-encoding")?.[1];
  if (te !== undefined && te.toLowerCase().includes("chunked")) return { kind: "chunked" };
  const cl = headers.find(([k]) => k.toLowerCase() === "content-length")?.[1];
  if (cl === undefined) return { kind: "length", length: 0 }; // a hot stream cannot be read to EOF
  if (!/^\d+$/.test(cl)) throw new HttpParseError(`bad Content-Length ${JSON.stringify(cl)}`);
  return { kind: "length", length: Number(cl) };
}

/** Yields exactly `n` bytes from `src` (pushing back any extra). */
async function* exactly(src: ByteSource, n: number): AsyncGenerator<Uint8Array> {
  let left = n;
  while (left > 0) {
    const chunk = await src.read();
    if (chunk === null) throw new HttpParseError("unexpected EOF in body");
    if (chunk.length > left) {
      src.unread(chunk.subarray(left));
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
}

/** Yields the decoded body bytes of a response with `framing`. */
export async function* readBody(src: ByteSource, framing: BodyFraming): AsyncGenerator<Uint8Array> {
  if (framing.kind === "length") {
    yield* exactly(src, framing.length);
    return;
  }
  const lines = new LineReader(src, Number.MAX_SAFE_INTEGER);
  while (true) {
    const sizeLine = await lines.readLine();
    const size = parseInt(sizeLine.split(";")[0]?.trim() ?? "", 16);
    if (!Number.isFinite(size) || size < 0) {
      throw new HttpParseError(`malformed chunk size ${JSON.stringify(sizeLine.slice(0, 40))}`);
    }
    if (size === 0) {
      while ((await lines.readLine()) !== "") { /* skip trailers */ }
      return;
    }
    yield* exactly(src, size);
    if ((await lines.readLine()) !== "") throw new HttpParseError("malformed chunked encoding");
  }
}
