/**
 * Attaches to a container before it starts and splits Docker's multiplexed (non-TTY)
 * stream into stdout and stderr frames, with backpressure: the next frame is read only
 * after the handler of the previous one has finished.
 *
 * @module
 */

import type Docker from "dockerode";
import type { Duplex } from "node:stream";
import type { OutputStream } from "./function_log.ts";

/** Called once per output frame; returning a promise pauses reading until it settles. */
export type FrameHandler = (stream: OutputStream, bytes: Uint8Array) => void | Promise<void>;

/** A live attach. */
export interface Attachment {
  /** The container's stdin when attached with `stdin: true`. */
  readonly stdin: Duplex | undefined;
  /** Resolves when the attach stream ends (the container exited or was removed). */
  readonly ended: Promise<void>;
  /** Closes the attach connection. */
  close(): void;
}

/**
 * Attaches (stdout + stderr, and stdin when asked) and feeds every frame to `onFrame`.
 * Resolves once the attach is established, so nothing the container prints is lost.
 */
export async function attachContainer(
  container: Docker.Container,
  options: { readonly stdin: boolean },
  onFrame: FrameHandler,
): Promise<Attachment> {
  const raw = await container.attach({
    stream: true,
    stdout: true,
    stderr: true,
    stdin: options.stdin,
    hijack: options.stdin,
  }) as unknown as Duplex;
  const ended = demux(raw, onFrame).catch(() => {
    // the connection was torn down (container removed): same as the end of the stream
  });
  return {
    stdin: options.stdin ? raw : undefined,
    ended,
    close: () => raw.destroy(),
  };
}

const HEADER_BYTES = 8;

/** Reads `[type, 0, 0, 0, size(4, BE)] payload` frames until the stream ends. */
async function demux(raw: Duplex, onFrame: FrameHandler): Promise<void> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of raw as AsyncIterable<Uint8Array>) {
    pending = concat(pending, chunk);
    while (pending.length >= HEADER_BYTES) {
      const view = new DataView(pending.buffer, pending.byteOffset, pending.byteLength);
      const size = view.getUint32(4);
      if (pending.length < HEADER_BYTES + size) break;
      const stream: OutputStream = pending[0] === 2 ? "stderr" : "stdout";
      const payload = pending.slice(HEADER_BYTES, HEADER_BYTES + size);
      pending = pending.subarray(HEADER_BYTES + size);
      if (payload.length > 0) await onFrame(stream, payload);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
