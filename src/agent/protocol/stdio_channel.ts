/**
 * The pipe swap for the stdin/stdout formats (`agent.md` §7). A hot container has one
 * attached stdin and one stdout for its whole life; each call gets its own pair of pipes
 * spliced onto them, so two calls never read or write the same stream:
 *
 * - **stdout**: bytes go to the current call's {@linkcode OutputPipe}. Bytes that arrive
 *   while no call is open (late output of an earlier call) are discarded and logged,
 *   never handed to the next call. When a call ends with bytes left after its response
 *   frame, framing is lost, so the call reports the container as not reusable.
 * - **stdin**: a call's request is copied through its own gate; when the call ends the
 *   gate shuts and whatever was not yet accepted is dropped, never written during the
 *   next call. If the function answered before taking all of its input, the unread rest
 *   would be read as the start of the next request, so the container is reported as not
 *   reusable (Fn's "kill on unconsumed input" choice) and the scheduler replaces it.
 *
 * Bytes the engine has already accepted into its own buffers cannot be taken back, so a
 * function that ignores a small input (one that fits in those buffers) is not detected;
 * the `http` format always sends `Content-Length` or chunked framing so a well-behaved
 * function consumes exactly its request.
 *
 * @module
 */

import type { Writable } from "node:stream";
import type { Logger } from "../../log.ts";
import { OutputPipe } from "./output_pipe.ts";
import { pumpBody } from "./_pump.ts";

/** What was left over when a call's pipes were cut. */
export interface CallPipesResult {
  /** The request was not completely written to stdin. */
  readonly unconsumedInput: boolean;
  /** Non-whitespace stdout bytes were left after the response frame. */
  readonly excessOutput: boolean;
}

/** One call's pipes. */
export class CallPipes {
  readonly output: OutputPipe = new OutputPipe();
  readonly #stdin: Writable;
  #inputDone = false;
  #inputStarted = false;
  #closed = false;

  constructor(stdin: Writable) {
    this.#stdin = stdin;
  }

  /** Whether the gate has shut. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Copies `input` to the container's stdin until it ends or the call is cut.
   *
   * @returns whether everything was written
   */
  async writeInput(input: ReadableStream<Uint8Array>, end = false): Promise<boolean> {
    this.#inputStarted = true;
    const complete = await pumpBody(input, this.#stdin, { end, stopped: () => this.#closed });
    this.#inputDone = complete;
    return complete;
  }

  /** Shuts both gates; reports what was left over. Idempotent. */
  close(): CallPipesResult {
    const rest = this.output.buffered();
    const excessOutput = !this.#closed && /[^\s]/.test(new TextDecoder().decode(rest));
    const unconsumedInput = !this.#closed && this.#inputStarted && !this.#inputDone;
    this.#closed = true;
    this.output.close();
    return { unconsumedInput, excessOutput };
  }
}

/** Routes a container's stdout to the open call and owns its stdin. */
export class StdioChannel {
  readonly #stdin: Writable;
  readonly #logger: Logger;
  #current: CallPipes | undefined;
  #ended = false;
  #broken = false;

  constructor(stdin: Writable, logger: Logger) {
    this.#stdin = stdin;
    this.#logger = logger;
  }

  /** Feeds a stdout chunk (from the demuxer); the promise is backpressure. */
  onStdout(bytes: Uint8Array): void | Promise<void> {
    const call = this.#current;
    if (call === undefined || call.closed) {
      this.#logger.debug("discarded function output that arrived outside a call", {
        bytes: bytes.length,
      });
      return;
    }
    return call.output.push(bytes);
  }

  /** The container's stdout ended (it exited). */
  onEnd(): void {
    this.#ended = true;
    this.#current?.output.end();
  }

  /** Opens fresh pipes for a call; the previous call's must be closed. */
  openCall(): CallPipes {
    const pipes = new CallPipes(this.#stdin);
    if (this.#ended) pipes.output.end();
    this.#current = pipes;
    return pipes;
  }

  /** Closes a call's pipes and detaches them. */
  closeCall(pipes: CallPipes): CallPipesResult {
    const result = pipes.close();
    if (this.#current === pipes) this.#current = undefined;
    if (result.unconsumedInput || result.excessOutput) this.#broken = true;
    return result;
  }

  /**
   * Marks the streams as out of step (a call was cut mid-frame): every later call fails
   * at once instead of reading another call's bytes.
   */
  markBroken(): void {
    this.#broken = true;
  }

  /** Whether framing was lost; such a container only gets 502s. */
  get broken(): boolean {
    return this.#broken;
  }
}
