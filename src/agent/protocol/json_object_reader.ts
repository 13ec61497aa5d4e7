/**
 * Reads exactly one JSON object from a byte source (a hot `json`-format container's
 * stdout), by tracking nesting and strings, so an object may span lines and the bytes
 * after it stay in the source.
 *
 * @module
 */

import type { ByteSource } from "./output_pipe.ts";
import { concatBytes } from "../../bytes.ts";

/** The output was not one JSON object. */
export class JsonFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonFrameError";
  }
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Returns the text of the next top-level JSON object.
 *
 * @throws {JsonFrameError} at EOF, on a non-object value, or past `maxBytes` (0 = no cap)
 */
export async function readJsonObject(src: ByteSource, maxBytes: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  while (true) {
    const chunk = await src.read();
    if (chunk === null) throw new JsonFrameError("unexpected EOF");
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (depth === 0) {
        if (isSpace(b)) {
          start = i + 1;
          continue;
        }
        if (b !== OPEN) {
          throw new JsonFrameError(
            `invalid character ${
              JSON.stringify(String.fromCharCode(b))
            } looking for beginning of object`,
          );
        }
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN) depth++;
      else if (b === CLOSE && --depth === 0) {
        if (maxBytes > 0 && size + (i + 1 - start) > maxBytes) {
          throw new JsonFrameError("response too large");
        }
        parts.push(chunk.subarray(start, i + 1));
        src.unread(chunk.subarray(i + 1));
        return new TextDecoder().decode(concatBytes(parts));
      }
    }
    const piece = chunk.subarray(start);
    size += piece.length;
    if (maxBytes > 0 && size > maxBytes) throw new JsonFrameError("response too large");
    parts.push(piece);
  }
}
