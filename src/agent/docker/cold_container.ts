/**
 * The cold `default` format (`agent.md` §7): one container per call. The request data is
 * in the environment (`FN_CALL_ID`, `FN_METHOD`, `FN_REQUEST_URL`, `FN_DEADLINE` and
 * `FN_HEADER_<Name>` with `-` turned into `_` so shells can read it, values joined with
 * `, `), the body goes to stdin (closed at its end), stdout is the response body, and the
 * container runs to exit. The response head (200) is sent at the first stdout byte or at
 * a clean exit; a non-zero exit before any output is 502 `error receiving function
 * response`, after it the body stream fails. Nothing is reusable.
 *
 * @module
 */

import type Docker from "dockerode";
import { openSyslogSink } from "../../logs/function_log_sink.ts";
import type { APIError } from "../../models/api_error.ts";
import type {
  ContainerExit,
  ContainerSpec,
  Dispatch,
  DispatchRequest,
  HotContainer,
  LaunchTimings,
} from "../container.ts";
import { rfc3339 } from "../protocol/_headers.ts";
import { pumpBody } from "../protocol/_pump.ts";
import { errorReceiving, timedOut } from "../protocol/call_errors.ts";
import { DispatchSettler } from "../protocol/dispatch_settler.ts";
import { OutputPipe } from "../protocol/output_pipe.ts";
import { attachContainer } from "./attach.ts";
import { createContainer, removeContainer, startContainer, waitExit } from "./container_ops.ts";
import { buildCreateOptions } from "./create_options.ts";
import { FunctionLog } from "./function_log.ts";
import type { HotStartDeps } from "./start_hot_container.ts";

/** The per-call environment of the `default` format. */
export function defaultFormatEnv(request: DispatchRequest): Record<string, string> {
  const env: Record<string, string> = {
    FN_CALL_ID: request.callId,
    FN_METHOD: request.method,
    FN_REQUEST_URL: request.url,
    FN_DEADLINE: rfc3339(request.deadline),
  };
  for (const [name, value] of request.headers) {
    const canonical = name.replace(
      /(^|-)([a-z])/g,
      (_m, s: string, c: string) => s + c.toUpperCase(),
    );
    env[`FN_HEADER_${canonical.replace(/-/g, "_")}`] = value;
  }
  return env;
}

/** A `default`-format "container": ready at once, starts a real one per call. */
export class ColdContainer implements HotContainer {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly exited: Promise<ContainerExit>;
  readonly timings: LaunchTimings;
  readonly #deps: HotStartDeps;
  #resolveExited!: (exit: ContainerExit) => void;
  #container: Docker.Container | undefined;
  #used = false;
  #closing: Promise<void> | undefined;
  #cleanup = new AsyncDisposableStack();

  constructor(deps: HotStartDeps, spec: ContainerSpec, pullMs: number) {
    this.#deps = deps;
    this.id = spec.id;
    this.spec = spec;
    this.timings = { imagePullMs: pullMs, createMs: 0, initMs: 0 };
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
  }

  dispatch(request: DispatchRequest): Dispatch {
    const settler = new DispatchSettler();
    if (this.#used || this.#closing) {
      settler.fail(errorReceiving("a default-format container takes one call"), false);
      return settler;
    }
    this.#used = true;
    this.#run(request, settler).catch((err) => settler.fail(errorReceiving(err), false));
    settler.finished.then(() => this.close());
    return settler;
  }

  async #run(request: DispatchRequest, settler: DispatchSettler): Promise<void> {
    const { engine, config } = this.#deps;
    const logger = this.#deps.logger.child({
      app_id: this.spec.appId,
      fn_id: this.spec.fnId,
      container_id: this.id,
    });
    const options = buildCreateOptions(this.spec, config, {
      instanceId: engine.instanceId,
      nodeId: engine.nodeId,
      hostname: engine.hostname,
      swappinessSupported: engine.swappinessSupported,
      network: this.#cleanup.use(this.#deps.networks.acquire()).network,
      stdin: true,
      stdinOnce: true,
      extraEnv: defaultFormatEnv(request),
    });
    const deadlineTimer = setTimeout(
      () => settler.fail(timedOut(), false),
      request.deadline.getTime() - Date.now(),
    );
    const onAbort = () => settler.fail(errorReceiving(request.signal.reason), false);
    request.signal.addEventListener("abort", onAbort, { once: true });
    this.#cleanup.defer(() => {
      clearTimeout(deadlineTimer);
      request.signal.removeEventListener("abort", onAbort);
    });
    let sink;
    try {
      // Released after the container is removed, so its final lines still go out.
      sink = this.#cleanup.use(await openSyslogSink(this.spec, logger));
    } catch (err) {
      return settler.fail(err as APIError, false);
    }
    const container = await createContainer(engine.docker, options);
    this.#container = container;
    this.#cleanup.defer(() => removeContainer(container));
    const log = new FunctionLog(logger, {
      maxLogBytes: config.maxLogBytes,
      enabled: !config.disableDebugUserLogs,
      sink,
    });
    log.beginCall(request.callId);
    this.#cleanup.defer(() => log.endCall());
    const output = new OutputPipe();
    const attachment = await attachContainer(container, { stdin: true }, (stream, bytes) => {
      if (stream === "stdout") return output.push(bytes);
      log.write(stream, bytes);
    });
    this.#cleanup.defer(() => attachment.close());
    attachment.ended.then(() => output.end());
    if (settler.isFinished) return;
    await startContainer(container);
    const exited = waitExit(container);
    exited.then((exit) => this.#resolveExited(exit));
    const stdin = attachment.stdin!;
    const input = request.body === null
      ? Promise.resolve(stdin.end())
      : pumpBody(request.body, stdin);
    input.catch((err) =>
      logger.debug("stdin copy failed", { call_id: request.callId, error: String(err) })
    );
    await this.#respond(output, exited, settler);
  }

  async #respond(
    output: OutputPipe,
    exited: Promise<ContainerExit>,
    settler: DispatchSettler,
  ): Promise<void> {
    const first = await output.read();
    if (settler.isFinished) return;
    if (first === null) {
      const exit = await exited;
      if (exit.exitCode !== 0) {
        return settler.fail(errorReceiving(`container exit code ${exit.exitCode}`), false);
      }
      settler.respond({ status: 200, headers: new Headers(), body: null });
      return settler.finish({ reusable: false });
    }
    let pending: Uint8Array | null = first;
    settler.respond({
      status: 200,
      headers: new Headers(),
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const chunk = pending ?? await output.read();
          pending = null;
          if (chunk !== null) return controller.enqueue(chunk);
          if (settler.isFinished) {
            return controller.error((await settler.finished).error ?? errorReceiving("call ended"));
          }
          const exit = await exited;
          if (exit.exitCode !== 0) {
            const error = errorReceiving(`container exit code ${exit.exitCode}`);
            settler.fail(error, false);
            return controller.error(error);
          }
          controller.close();
          settler.finish({ reusable: false });
        },
        cancel: () => settler.fail(errorReceiving("client went away"), false),
      }, { highWaterMark: 1 }),
    });
  }

  /** Nothing runs between calls, so there is nothing to freeze. */
  pause(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing runs between calls, so there is nothing to thaw. */
  unpause(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#cleanup.disposeAsync();
      } finally {
        this.#resolveExited({});
        this.#deps.onClosed(this);
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
