/**
 * A started, ready Docker container speaking one hot protocol (http-stream over its
 * socket, or the `http`/`json` stdin/stdout formats). It attributes the function's log
 * lines to the call in flight and owns everything the launch set up (socket dir, watch,
 * network lease, attach), released by `close()`.
 *
 * @module
 */

import type Docker from "dockerode";
import type {
  ContainerExit,
  ContainerSpec,
  Dispatch,
  DispatchRequest,
  HotContainer,
  LaunchTimings,
} from "../container.ts";
import type { FunctionLog } from "./function_log.ts";

/** Talks to a container for one call at a time. */
export interface ContainerProtocol {
  dispatch(request: DispatchRequest): Dispatch;
  close(): void;
}

/**
 * How long a finished call still owns the function's output: Docker's attach stream can
 * deliver the last lines a few ms after the answer on the socket. A new call takes over
 * at once.
 */
export const LOG_TAIL_GRACE_MS = 100;

/** Timeout of `docker pause` / `docker unpause` (Fn's fixed 5 s). */
export const PAUSE_TIMEOUT_MS = 5000;

/** What a launch hands over to its container. */
export interface DockerHotContainerParts {
  readonly spec: ContainerSpec;
  readonly container: Docker.Container;
  readonly protocol: ContainerProtocol;
  readonly log: FunctionLog;
  readonly exited: Promise<ContainerExit>;
  readonly timings: LaunchTimings;
  /** Releases everything the launch set up (removes the container first). */
  readonly resources: AsyncDisposableStack;
  /** Called once after close. */
  readonly onClosed: () => void;
}

/** {@linkcode HotContainer} on Docker. */
export class DockerHotContainer implements HotContainer {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly exited: Promise<ContainerExit>;
  /** How long the pull, create and init took. */
  readonly timings: LaunchTimings;
  readonly #parts: DockerHotContainerParts;
  #closing: Promise<void> | undefined;
  #logTail: ReturnType<typeof setTimeout> | undefined;
  /** The call whose output the log is attributing. */
  #logCall: string | undefined;

  constructor(parts: DockerHotContainerParts) {
    this.#parts = parts;
    this.id = parts.spec.id;
    this.spec = parts.spec;
    this.exited = parts.exited;
    this.timings = parts.timings;
  }

  dispatch(request: DispatchRequest): Dispatch {
    const log = this.#parts.log;
    clearTimeout(this.#logTail);
    const callId = request.callId;
    this.#logCall = callId;
    log.beginCall(callId);
    const dispatch = this.#parts.protocol.dispatch(request);
    dispatch.finished.then(() => {
      if (this.#logCall !== callId) return; // a newer call already owns the output
      const tail = setTimeout(() => {
        if (this.#logCall !== callId) return;
        this.#logCall = undefined;
        log.endCall();
      }, LOG_TAIL_GRACE_MS);
      Deno.unrefTimer(tail);
      this.#logTail = tail;
    });
    return dispatch;
  }

  /**
   * `docker pause` with a 5 s timeout.
   *
   * @throws {Error} when the engine refuses or times out (the caller should close it)
   */
  async pause(): Promise<void> {
    await this.#parts.container.pause({ abortSignal: AbortSignal.timeout(PAUSE_TIMEOUT_MS) });
  }

  /**
   * `docker unpause` with a 5 s timeout.
   *
   * @throws {Error} when the engine refuses or times out (the caller should close it)
   */
  async unpause(): Promise<void> {
    await this.#parts.container.unpause({ abortSignal: AbortSignal.timeout(PAUSE_TIMEOUT_MS) });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        clearTimeout(this.#logTail);
        this.#parts.protocol.close();
        this.#parts.log.flush();
        await this.#parts.resources.disposeAsync();
      } finally {
        this.#parts.onClosed();
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
