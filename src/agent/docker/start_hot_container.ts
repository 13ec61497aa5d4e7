/**
 * The start sequence of a hot container (`agent.md` §2.4, §8): socket dir and watch,
 * `docker create` with the hardened options, attach (before start, so no output is
 * lost), start, then wait for readiness (the socket for http-stream; at once for the
 * stdin/stdout formats). Anything set up is released again if a step fails.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import { openSyslogSink } from "../../logs/function_log_sink.ts";
import type { AgentConfig } from "../agent_config.ts";
import type { ContainerExit, ContainerSpec, HotContainer } from "../container.ts";
import { initFailed, initTimedOut } from "../protocol/call_errors.ts";
import { HttpFormat } from "../protocol/http_format.ts";
import { HttpStreamClient } from "../protocol/http_stream.ts";
import { createIofs } from "../protocol/iofs.ts";
import { JsonFormat } from "../protocol/json_format.ts";
import { InvalidSocketError, SocketWatch } from "../protocol/socket_watch.ts";
import { runStdioCall } from "../protocol/stdio_call.ts";
import { StdioChannel } from "../protocol/stdio_channel.ts";
import { attachContainer } from "./attach.ts";
import {
  createContainer,
  type EngineContext,
  removeContainer,
  startContainer,
  waitExit,
} from "./container_ops.ts";
import { buildCreateOptions } from "./create_options.ts";
import { type ContainerProtocol, DockerHotContainer } from "./docker_hot_container.ts";
import { FunctionLog } from "./function_log.ts";
import type { NetworkPicker } from "./network_picker.ts";

/** What a hot start needs besides the spec. */
export interface HotStartDeps {
  readonly engine: EngineContext;
  readonly config: AgentConfig;
  readonly networks: NetworkPicker;
  readonly logger: Logger;
  readonly onClosed: (container: HotContainer) => void;
}

/**
 * Creates, attaches and starts a container for `spec` and waits until it is ready.
 *
 * @throws {APIError} 502 `Container failed to initialize, …`, 504 `Container
 *   initialization timed out, …`, 500 `Syslog Unavailable`, 503 (image vanished);
 *   engine and IOFS errors as they are; the signal's reason when aborted
 */
export async function startHotContainer(
  deps: HotStartDeps,
  spec: ContainerSpec,
  signal: AbortSignal,
  pullMs: number,
): Promise<DockerHotContainer> {
  const { engine, config } = deps;
  const socket = spec.format === "http-stream";
  const logger = deps.logger.child({
    app_id: spec.appId,
    fn_id: spec.fnId,
    image: spec.image,
    container_id: spec.id,
  });
  await using stack = new AsyncDisposableStack();
  const iofs = socket
    ? stack.use(
      await createIofs({
        iofsPath: config.iofsPath,
        iofsDockerPath: config.iofsDockerPath,
        chmod: !config.disableUnprivilegedContainers,
      }),
    )
    : undefined;
  const watch = iofs ? stack.use(new SocketWatch(iofs.agentDir)) : undefined;
  const lease = stack.use(deps.networks.acquire());
  const options = buildCreateOptions(spec, config, {
    instanceId: engine.instanceId,
    nodeId: engine.nodeId,
    iofsDockerDir: iofs?.dockerDir,
    network: lease.network,
    hostname: engine.hostname,
    swappinessSupported: engine.swappinessSupported,
    stdin: !socket,
  });
  // Released last, after the container is gone, so its final lines still go out.
  const sink = stack.use(await openSyslogSink(spec, logger));
  const createdAt = performance.now();
  signal.throwIfAborted();
  const container = await createContainer(engine.docker, options);
  stack.defer(() => removeContainer(container));
  const createMs = performance.now() - createdAt;

  const log = new FunctionLog(logger, {
    maxLogBytes: config.maxLogBytes,
    enabled: !config.disableDebugUserLogs,
    sink,
  });
  let stdio: StdioChannel | undefined;
  const attachment = await attachContainer(container, { stdin: !socket }, (stream, bytes) => {
    if (stream === "stdout" && stdio !== undefined) return stdio.onStdout(bytes);
    log.write(stream, bytes);
  });
  stack.defer(() => attachment.close());
  if (attachment.stdin) stdio = new StdioChannel(attachment.stdin, logger);
  attachment.ended.then(() => stdio?.onEnd());

  signal.throwIfAborted();
  await startContainer(container);
  const startedAt = performance.now();
  const exited = waitExit(container);
  if (watch) await awaitReady(watch.ready, exited, config.hotStartTimeoutMs, signal);

  const protocol = makeProtocol(spec, config, logger, iofs?.socketPath, stdio);
  const resources = stack.move();
  const hot: DockerHotContainer = new DockerHotContainer({
    spec,
    container,
    protocol,
    log,
    exited,
    timings: { imagePullMs: pullMs, createMs, initMs: performance.now() - startedAt },
    resources,
    onClosed: () => deps.onClosed(hot),
  });
  return hot;
}

function makeProtocol(
  spec: ContainerSpec,
  config: AgentConfig,
  logger: Logger,
  socketPath: string | undefined,
  stdio: StdioChannel | undefined,
): ContainerProtocol {
  if (socketPath !== undefined) {
    return new HttpStreamClient({
      socketPath,
      maxResponseHeaderBytes: config.maxResponseHeaderBytes,
      logger,
    });
  }
  if (stdio === undefined) throw new Error(`format ${spec.format} needs stdin`);
  const exchange = spec.format === "json"
    ? new JsonFormat(config.maxResponseBytes)
    : new HttpFormat(config.maxResponseHeaderBytes);
  return { dispatch: (request) => runStdioCall(stdio, exchange, request, logger), close: () => {} };
}

/** Races the socket against the container's exit, the start timeout and the caller. */
async function awaitReady(
  ready: Promise<void>,
  exited: Promise<ContainerExit>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      ready.catch((err) => {
        throw err instanceof InvalidSocketError ? initFailed(err.message) : err;
      }),
      exited.then((exit) => {
        throw initFailed(`container exited before it was ready (exit code ${exit.exitCode})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(initTimedOut()), timeoutMs);
      }),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
