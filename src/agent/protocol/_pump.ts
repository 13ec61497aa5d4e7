/**
 * Copies a web `ReadableStream` into a Node `Writable` chunk by chunk, waiting for
 * `drain` whenever the writable's buffer is full, so memory stays bounded.
 *
 * @module
 */

import type { Writable } from "node:stream";

/** The most written to the sink at once. */
const SLICE_BYTES = 64 * 1024;

/** Options for {@linkcode pumpBody}. */
export interface PumpOptions {
  /** End the writable when the source ends. @default {true} */
  readonly end?: boolean;
  /** Checked before each chunk; when true the copy stops and the rest is discarded. */
  readonly stopped?: () => boolean;
}

/**
 * Copies `body` into `sink`.
 *
 * @returns whether the whole body was written (false when stopped early)
 * @throws whatever the source or the sink fail with
 */
export async function pumpBody(
  body: ReadableStream<Uint8Array>,
  sink: Writable,
  options: PumpOptions = {},
): Promise<boolean> {
  const reader = body.getReader();
  let full = false;
  try {
    while (true) {
      if (options.stopped?.()) return false;
      const { value, done } = await reader.read();
      if (done) break;
      // Wait for room before writing the next chunk, not after the last one: a body counts
      // as sent once its last byte is handed to the sink.
      if (full) await drained(sink);
      // Large chunks go in slices so a reader that stops reading leaves the rest unsent.
      for (let offset = 0; offset < value.length; offset += SLICE_BYTES) {
        if (offset > 0 && full) await drained(sink);
        if (options.stopped?.()) return false;
        if (sink.destroyed) throw new Error("the destination closed before the body was sent");
        full = !sink.write(value.subarray(offset, offset + SLICE_BYTES));
      }
    }
    if (options.end ?? true) sink.end();
    return true;
  } finally {
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function drained(sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      sink.off("drain", onDrain);
      sink.off("close", onClose);
      sink.off("error", onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("the destination closed before the body was sent"));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    sink.on("drain", onDrain);
    sink.on("close", onClose);
    sink.on("error", onError);
  });
}
