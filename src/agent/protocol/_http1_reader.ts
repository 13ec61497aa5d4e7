/**
 * Reads an HTTP/1.1 response from a byte source: the head (bounded, skipping `1xx`
 * interim answers) and then the body, decoded chunk by chunk as it is pulled, never
 * buffered whole. Bytes beyond the message are pushed back for the next one.
 *
 * @module
 */

import {
  type BodyFraming,
  headEnd,
  latin1Text,
  MalformedResponseError,
  parseResponseHead,
  type ResponseHead,
  ResponseHeadTooLargeError,
} from "./_http1_head.ts";
import type { ByteSource } from "./output_pipe.ts";
import { concatBytes } from "../../bytes.ts";

/** Longest chunk-size or trailer line accepted. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Reads the next final response head (`100 Continue` and other interim heads are
 * skipped; they count towards the limit on their own).
 *
 * @throws {ResponseHeadTooLargeError} when a head is larger than `maxBytes`
 * @throws {MalformedResponseError} on a malformed head or EOF before the head ended
 * @throws whatever the source throws
 */
export async function readResponseHead(src: ByteSource, maxBytes: number): Promise<ResponseHead> {
  while (true) {
    const head = parseResponseHead(await readHeadBytes(src, maxBytes));
    if (head.status >= 200 || head.status === 101) return head;
  }
}

async function readHeadBytes(src: ByteSource, maxBytes: number): Promise<Uint8Array> {
  let acc: Uint8Array = new Uint8Array(0);
  let used = 0;
  while (true) {
    const chunk = await src.read();
    if (chunk === null) {
      throw new MalformedResponseError(used === 0 ? "EOF" : "unexpected EOF in the response head");
    }
    const searchedTo = used;
    if (used === 0) {
      acc = chunk;
    } else {
      if (used + chunk.length > acc.length) {
        const grown = new Uint8Array(Math.max(acc.length * 2, used + chunk.length));
        grown.set(acc.subarray(0, used));
        acc = grown;
      }
      acc.set(chunk, used);
    }
    used += chunk.length;
    const bytes = acc.subarray(0, used);
    const end = headEnd(bytes, searchedTo);
    if (end >= 0) {
      if (end > maxBytes) throw new ResponseHeadTooLargeError(maxBytes);
      if (end < used) src.unread(bytes.slice(end));
      return bytes.subarray(0, end);
    }
    if (used > maxBytes) throw new ResponseHeadTooLargeError(maxBytes);
  }
}

/** Reads one line (without its CRLF/LF) of at most `maxBytes`. */
async function readLine(src: ByteSource, maxBytes: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let used = 0;
  while (true) {
    const chunk = await src.read();
    if (chunk === null) throw new MalformedResponseError("unexpected EOF in the response body");
    const nl = chunk.indexOf(10);
    const take = nl >= 0 ? chunk.subarray(0, nl) : chunk;
    used += take.length;
    if (used > maxBytes) throw new MalformedResponseError("chunked encoding line too long");
    parts.push(take);
    if (nl >= 0) {
      if (nl + 1 < chunk.length) src.unread(chunk.subarray(nl + 1));
      const line = latin1Text(concatBytes(parts));
      return line.endsWith("\r") ? line.slice(0, -1) : line;
    }
  }
}

/** The body of one response, decoded as it is pulled. */
export class BodyReader {
  readonly #src: ByteSource;
  readonly #framing: BodyFraming;
  /** Bytes left in the body (`length`) or in the current chunk (`chunked`). */
  #left: number;
  #done: boolean;
  /** `chunked`: a chunk's data ended and its CRLF is still to be read. */
  #chunkEnded = false;

  constructor(src: ByteSource, framing: BodyFraming) {
    this.#src = src;
    this.#framing = framing;
    this.#left = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none" || (framing.kind === "length" && framing.length === 0);
  }

  /** Whether the whole body has been read. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * The next piece of the body, or null once it is complete.
   *
   * @throws {MalformedResponseError} on EOF before the end or bad chunked encoding
   */
  async next(): Promise<Uint8Array | null> {
    if (this.#done) return null;
    switch (this.#framing.kind) {
      case "close": {
        const chunk = await this.#src.read();
        if (chunk === null) this.#done = true;
        return chunk;
      }
      case "length":
        return await this.#take();
      case "chunked":
        if (this.#left === 0 && !(await this.#nextChunk())) return null;
        return await this.#take();
      default:
        return null;
    }
  }

  /** Reads up to `#left` bytes. */
  async #take(): Promise<Uint8Array> {
    const chunk = await this.#src.read();
    if (chunk === null) throw new MalformedResponseError("unexpected EOF in the response body");
    let piece = chunk;
    if (chunk.length > this.#left) {
      this.#src.unread(chunk.subarray(this.#left));
      piece = chunk.subarray(0, this.#left);
    }
    this.#left -= piece.length;
    if (this.#left === 0) {
      if (this.#framing.kind === "length") this.#done = true;
      else this.#chunkEnded = true;
    }
    return piece;
  }

  /** Reads the next chunk's size line; false after the last chunk and its trailers. */
  async #nextChunk(): Promise<boolean> {
    if (this.#chunkEnded) {
      if ((await readLine(this.#src, MAX_LINE_BYTES)) !== "") {
        throw new MalformedResponseError("malformed chunked encoding");
      }
      this.#chunkEnded = false;
    }
    const line = await readLine(this.#src, MAX_LINE_BYTES);
    const hex = (line.split(";")[0] ?? "").trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
      throw new MalformedResponseError(`malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
    }
    const size = parseInt(hex, 16);
    if (size > 0) {
      this.#left = size;
      return true;
    }
    while ((await readLine(this.#src, MAX_LINE_BYTES)) !== "") {
      // trailers: Fn passes none on, so they are read and dropped
    }
    this.#done = true;
    return false;
  }
}
