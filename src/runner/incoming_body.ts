/**
 * The request body of a call on a pure runner: a `ReadableStream` fed by the LB's
 * `DataFrame`s. Frames are queued up to a high-water mark; above it the gRPC stream
 * is paused, so a slow function applies backpressure all the way to the LB.
 *
 * The mark is high on purpose: pausing and resuming a `node:http2` stream under Deno
 * 2.9 sometimes leaves the stream without flow-control credit, and the body stalls
 * for good (observed with 5 MiB bodies). Queuing up to the mark instead costs memory
 * only when a function reads its input much slower than the LB sends it.
 *
 * @module
 */

/** Bytes queued before the gRPC stream is paused. */
const HIGH_WATER_BYTES = 32 << 20;

/** Something that can stop and restart delivering frames (a gRPC stream). */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** A body stream fed frame by frame. */
export class IncomingBody {
  /** The body to hand to the agent. */
  readonly stream: ReadableStream<Uint8Array>;
  readonly #source: Pausable;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #paused = false;
  #ended = false;

  /** A body whose frames come from `source`. */
  constructor(source: Pausable) {
    this.#source = source;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#resume(),
      cancel: () => {
        this.#ended = true;
        this.#resume();
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }));
  }

  /** Whether `end()` or `fail()` was called, or the reader cancelled. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queues one frame's bytes (empty frames are skipped). */
  push(bytes: Uint8Array): void {
    if (this.#ended || bytes.byteLength === 0) return;
    this.#controller.enqueue(bytes);
    if ((this.#controller.desiredSize ?? 1) <= 0 && !this.#paused) {
      this.#paused = true;
      this.#source.pause();
    }
  }

  /** The LB sent `eof`: the body is complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.close();
    this.#resume();
  }

  /** The body cannot be completed (protocol error, LB gone). */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.error(error);
    this.#resume();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#source.resume();
  }
}
