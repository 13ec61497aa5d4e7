/**
 * A {@linkcode ByteSource} over fixed chunks, for parser tests.
 *
 * @module
 */

import { OutputPipe } from "./output_pipe.ts";

/** An ended pipe holding `chunks` (strings are UTF-8 encoded). */
export function sourceOf(...chunks: (string | Uint8Array)[]): OutputPipe {
  const pipe = new OutputPipe();
  for (const c of chunks) pipe.push(typeof c === "string" ? new TextEncoder().encode(c) : c);
  pipe.end();
  return pipe;
}

/** Collects an async iterable of bytes into a string. */
export async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of body) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}
