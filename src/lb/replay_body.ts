/**
 * A request body that can be read again from the start by the next attempt while no
 * runner has committed to the call (Fn's LB buffers the whole body first; fnd streams
 * it to the first runner while keeping a copy).
 *
 * Memory: the copy is kept only while a retry is still possible. Once a runner
 * commits (`release()`), bytes are dropped as soon as the current reader has read
 * them. If the body grows past `limitBytes` before a commit, replay is given up (the
 * current attempt goes on streaming; a NACK then ends the call with 503).
 *
 * @module
 */

/** Thrown by {@linkcode ReplayableBody.open} when the body cannot be replayed. */
export class NotReplayableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotReplayableError";
  }
}

/** One body, readable once per attempt. */
export class ReplayableBody {
  readonly #source: ReadableStreamDefaultReader<Uint8Array> | null;
  readonly #limitBytes: number;
  /** Chunks read from the source and still kept; `#chunks[0]` is chunk number `#base`. */
  readonly #chunks: Uint8Array[] = [];
  #base = 0;
  #bufferedBytes = 0;
  #sourceDone = false;
  #sourceError: { error: unknown } | undefined;
  #pulling: Promise<void> | undefined;
  #released = false;
  #overflowed = false;
  #opened = 0;
  /** Index of the next chunk the current reader will read. */
  #position = 0;
  #generation = 0;

  /**
   * @param body the client's body; `null` for none
   * @param limitBytes most bytes kept for replay before a commit
   */
  constructor(body: ReadableStream<Uint8Array> | null, limitBytes: number) {
    this.#source = body?.getReader() ?? null;
    this.#limitBytes = limitBytes;
  }

  /** Whether there is a body at all. */
  get empty(): boolean {
    return this.#source === null;
  }

  /** Bytes currently held for replay. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Whether another attempt could read the body from the start. */
  get replayable(): boolean {
    return this.#opened === 0 || (!this.#released && !this.#overflowed);
  }

  /**
   * A fresh reader from byte 0 for a new attempt; the previous reader stops.
   *
   * @throws {NotReplayableError} when a runner already committed or the body was too
   *   big to keep
   */
  open(): ReadableStream<Uint8Array> | null {
    if (!this.replayable) {
      throw new NotReplayableError(
        this.#released
          ? "the request body was already sent to a runner that took the call"
          : `the request body is larger than the ${this.#limitBytes} bytes kept for retries`,
      );
    }
    this.#opened++;
    if (this.#source === null) return null;
    const generation = ++this.#generation;
    this.#position = 0;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller, generation),
      // Cancelling one attempt's reader never cancels the client's body.
      cancel: () => {
        if (generation === this.#generation) this.#generation++;
      },
    }, { highWaterMark: 0 });
  }

  /** A runner committed: keep no more bytes than the current reader still needs. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#dropBefore(this.#position);
  }

  /** Cancels the client's body (the call is over and the rest is not needed). */
  async cancel(reason?: unknown): Promise<void> {
    this.#base += this.#chunks.length;
    this.#chunks.length = 0;
    this.#bufferedBytes = 0;
    this.#generation++;
    if (this.#source !== null && !this.#sourceDone) {
      this.#sourceDone = true;
      await this.#source.cancel(reason).catch(() => {});
    }
  }

  async #pull(
    controller: ReadableStreamDefaultController<Uint8Array>,
    generation: number,
  ): Promise<void> {
    while (generation === this.#generation) {
      if (this.#position < this.#base + this.#chunks.length) {
        const chunk = this.#chunks[this.#position - this.#base]!;
        this.#position++;
        if (!this.#keepsCopy()) this.#dropBefore(this.#position);
        controller.enqueue(chunk);
        return;
      }
      if (this.#sourceError !== undefined) return controller.error(this.#sourceError.error);
      if (this.#sourceDone) return controller.close();
      await (this.#pulling ??= this.#readSource().finally(() => this.#pulling = undefined));
    }
    // A newer attempt took over (or this reader was cancelled): end this one quietly.
    try {
      controller.close();
    } catch {
      // already cancelled
    }
  }

  #keepsCopy(): boolean {
    return !this.#released && !this.#overflowed;
  }

  async #readSource(): Promise<void> {
    try {
      const { done, value } = await this.#source!.read();
      if (done) {
        this.#sourceDone = true;
        return;
      }
      if (value.byteLength === 0) return;
      this.#chunks.push(value);
      this.#bufferedBytes += value.byteLength;
      if (!this.#released && this.#bufferedBytes > this.#limitBytes) {
        this.#overflowed = true;
        this.#dropBefore(this.#position);
      }
    } catch (error) {
      this.#sourceError = { error };
    }
  }

  /** Drops the kept chunks numbered below `index`. */
  #dropBefore(index: number): void {
    while (this.#base < index && this.#chunks.length > 0) {
      this.#bufferedBytes -= this.#chunks.shift()!.byteLength;
      this.#base++;
    }
  }
}
