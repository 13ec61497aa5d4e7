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
 *   next call.
 *
 * ## Which calls a container survives
 *
 * A call that leaves input unread must not poison the next one, and fnd cannot tell
 * whether the function read its input: stdin is one Docker attach stream, so bytes the
 * engine accepted may sit in dockerd's, the shim's or the kernel's pipe buffers (about
 * 200 KiB together) or already in the function's own read buffer, and none of them can
 * be taken back or even seen. By the time the call ends, a function that loops over
 * requests has usually read those leftovers as the start of its next request, so no
 * draining could help either: only a fresh process is clean. Hence the rule:
 *
 * **A hot stdin/stdout container is reused only after a call whose input a function
 * must have read in full before it could answer; after any other call it is retired
 * and the next call starts a fresh container.** Each format marks the part of its
 * request that a function may leave unread ({@linkcode InputOptions.skippable}); in
 * practice that is the request body, so body-less calls keep the container hot and calls
 * with a body cost a container start each (see `http_format.ts` and `json_format.ts` for
 * the reasoning per format). A write that was cut before its end (the call failed, timed
 * out or the function stopped reading) retires the container as well.
 *
 * A retired container is also marked broken here, so a further dispatch on it (which
 * the scheduler never makes) fails with 502 instead of reading another call's bytes.
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
  /**
   * The request had a part the function may have answered without reading (see
   * {@linkcode InputOptions.skippable}): nothing can tell whether it is still unread.
   */
  readonly unverifiedInput: boolean;
  /** Non-whitespace stdout bytes were left after the response frame. */
  readonly excessOutput: boolean;
}

/** How {@linkcode CallPipes.writeInput} treats one call's input. */
export interface InputOptions {
  /**
   * The input contains bytes a function may answer without reading (a request body):
   * the container is then not reused after the call.
   * @default {false}
   */
  readonly skippable?: boolean;
}

/** One call's pipes. */
export class CallPipes {
  readonly output: OutputPipe = new OutputPipe();
  readonly #stdin: Writable;
  #inputDone = false;
  #inputStarted = false;
  #inputSkippable = false;
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
  async writeInput(
    input: ReadableStream<Uint8Array>,
    options: InputOptions = {},
  ): Promise<boolean> {
    this.#inputStarted = true;
    this.#inputSkippable ||= options.skippable ?? false;
    const complete = await pumpBody(input, this.#stdin, {
      end: false,
      stopped: () => this.#closed,
    });
    this.#inputDone = complete;
    return complete;
  }

  /** Shuts both gates; reports what was left over. Idempotent. */
  close(): CallPipesResult {
    const rest = this.output.buffered();
    const excessOutput = !this.#closed && /[^\s]/.test(new TextDecoder().decode(rest));
    const unconsumedInput = !this.#closed && this.#inputStarted && !this.#inputDone;
    const unverifiedInput = !this.#closed && this.#inputSkippable;
    this.#closed = true;
    this.output.close();
    return { unconsumedInput, unverifiedInput, excessOutput };
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
    if (result.unconsumedInput || result.unverifiedInput || result.excessOutput) {
      this.#broken = true;
    }
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
