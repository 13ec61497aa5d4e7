/**
 * Test double of the container seam (`ContainerLauncher` / `HotContainer`) for unit
 * tests of scheduling logic: containers are plain objects whose calls are answered by
 * a handler the test controls. Never used outside tests.
 *
 * @module
 */

import { APIError } from "../src/models/api_error.ts";
import { Logger } from "../src/log.ts";
import type {
  ContainerExit,
  ContainerLauncher,
  ContainerSpec,
  Dispatch,
  DispatchOutcome,
  DispatchRequest,
  FunctionResponse,
  HotContainer,
} from "../src/agent/container.ts";

/** How a fake container answers one call. */
export type FakeHandler = (request: DispatchRequest, container: FakeContainer) => FakeAnswer;

/** The two sides of a fake call. */
export interface FakeAnswer {
  readonly response: Promise<FunctionResponse>;
  readonly finished: Promise<DispatchOutcome>;
}

/** Answers 200 at once; the container stays reusable. */
export const okHandler: FakeHandler = (): FakeAnswer => ({
  response: Promise.resolve({ status: 200, headers: new Headers(), body: null }),
  finished: Promise.resolve({ reusable: true }),
});

/** A manually settled promise. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** Makes a {@linkcode Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A container that lives in memory. */
export class FakeContainer implements HotContainer {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly #exit = deferred<ContainerExit>();
  readonly exited: Promise<ContainerExit> = this.#exit.promise;
  readonly #launcher: FakeLauncher;
  paused = false;
  closed = false;
  dispatches = 0;
  pauses = 0;
  unpauses = 0;
  failPause = false;
  failUnpause = false;
  /** Set while a call runs; a second concurrent dispatch is a scheduler bug. */
  busy = false;
  /** What a driver would report of the launch. */
  readonly timings = { imagePullMs: 0, createMs: 40, initMs: 60 };

  constructor(spec: ContainerSpec, launcher: FakeLauncher) {
    this.id = spec.id;
    this.spec = spec;
    this.#launcher = launcher;
  }

  dispatch(request: DispatchRequest): Dispatch {
    if (this.closed) throw new Error(`dispatch to closed container ${this.id}`);
    if (this.busy) throw new Error(`concurrent dispatch to container ${this.id}`);
    if (this.paused) throw new Error(`dispatch to paused container ${this.id}`);
    this.busy = true;
    this.dispatches++;
    const { response, finished } = this.#launcher.handler(request, this);
    const done = finished.finally(() => (this.busy = false));
    response.catch(() => {});
    return { response, finished: done };
  }

  pause(): Promise<void> {
    this.pauses++;
    if (this.failPause) return Promise.reject(new Error("pause failed"));
    this.paused = true;
    return Promise.resolve();
  }

  unpause(): Promise<void> {
    this.unpauses++;
    if (this.failUnpause) return Promise.reject(new Error("unpause failed"));
    this.paused = false;
    return Promise.resolve();
  }

  /** Simulates the process exiting by itself. */
  exit(exitCode = 0): void {
    this.#exit.resolve({ exitCode });
  }

  close(): Promise<void> {
    this.closed = true;
    this.#exit.resolve({});
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A launcher that makes {@linkcode FakeContainer}s. */
export class FakeLauncher implements ContainerLauncher {
  handler: FakeHandler = okHandler;
  readonly launched: FakeContainer[] = [];
  /** When set, launches wait for it. */
  gate: Promise<void> | undefined;
  /** Errors thrown by the next launches, in order. */
  readonly failures: unknown[] = [];
  closed = false;
  leftovers = 0;

  /** Containers not removed yet. */
  get live(): FakeContainer[] {
    return this.launched.filter((c) => !c.closed);
  }

  async launch(spec: ContainerSpec, signal: AbortSignal): Promise<HotContainer> {
    if (this.gate !== undefined) await this.gate;
    if (signal.aborted) throw new APIError(503, "launch aborted");
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const container = new FakeContainer(spec, this);
    this.launched.push(container);
    return container;
  }

  removeLeftovers(): Promise<number> {
    return Promise.resolve(this.leftovers);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.launched.map((c) => c.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A spec for fake containers. */
export function fakeSpec(id = "C1", memoryMb = 128): ContainerSpec {
  return {
    id,
    appId: "A1",
    appName: "app",
    fnId: "F1",
    fnName: "fn",
    image: "img:1",
    env: {},
    memoryMb,
    cpuMillis: 0,
    format: "http-stream",
  };
}

/** A logger that writes nothing (tests assert on behaviour, not on log lines). */
export const quietLog: Logger = new Logger({ level: 99, format: "text", sink: () => {} });
