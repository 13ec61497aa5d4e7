/**
 * One call's view of a container's stdout: a bounded byte queue the demuxer pushes into
 * (waiting when it is full, which backpressures Docker's stream) and the frame parser
 * reads from, with `unread` for bytes a parser looked at but did not use.
 *
 * @module
 */

/** Bytes buffered before the producer must wait. */
const HIGH_WATER_BYTES = 256 * 1024;

/** A readable source of bytes with push-back. */
export interface ByteSource {
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Puts bytes back in front of the queue. */
  unread(bytes: Uint8Array): void;
}

/** A per-call stdout pipe. */
export class OutputPipe implements ByteSource {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #ended = false;
  #closed = false;
  #readWaiter: (() => void) | undefined;
  #spaceWaiters: (() => void)[] = [];

  /** Adds bytes; resolves when there is room again. Bytes pushed after `close` are dropped. */
  push(bytes: Uint8Array): void | Promise<void> {
    if (this.#closed || this.#ended) return;
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    this.#wakeReader();
    if (this.#bytes <= HIGH_WATER_BYTES) return;
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** The producer has no more bytes (the container's stdout ended). */
  end(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  async read(): Promise<Uint8Array | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended || this.#closed) return null;
      await new Promise<void>((resolve) => (this.#readWaiter = resolve));
    }
    const chunk = this.#chunks.shift() as Uint8Array;
    this.#bytes -= chunk.length;
    if (this.#bytes <= HIGH_WATER_BYTES) this.#wakeWriters();
    return chunk;
  }

  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.unshift(bytes);
    this.#bytes += bytes.length;
  }

  /** Bytes still queued (not read by the call). */
  buffered(): Uint8Array {
    const out = new Uint8Array(this.#bytes);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  /** Cuts the pipe: queued and later bytes are dropped, readers see the end. */
  close(): void {
    this.#closed = true;
    this.#chunks = [];
    this.#bytes = 0;
    this.#wakeReader();
    this.#wakeWriters();
  }

  #wakeReader(): void {
    const waiter = this.#readWaiter;
    this.#readWaiter = undefined;
    waiter?.();
  }

  #wakeWriters(): void {
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const w of waiters) w();
  }
}
