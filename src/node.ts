/**
 * Assembling and running one fnd node in-process: datastore, (agent,) HTTP handler and
 * `Deno.serve`, and closing them in order. `main.ts` calls {@linkcode startNode}; tests
 * and other entry points can too.
 *
 * @module
 */

import type { Agent } from "./agent/call.ts";
import { startLocalAgent } from "./agent/start_local_agent.ts";
import { createHandler } from "./api/handler.ts";
import { ownLookupCache } from "./api/own_lookup_cache.ts";
import type { EntityLookup } from "./api/route_context.ts";
import type { Config } from "./config.ts";
import type { Datastore } from "./datastore/datastore.ts";
import { openDatastore } from "./datastore/open_datastore.ts";
import { InFlightRequests } from "./in_flight.ts";
import { createLbAgent, createLbLookup } from "./lb/create_lb_agent.ts";
import { log as rootLog, type Logger } from "./log.ts";
import { meterAgent } from "./metrics/metered_agent.ts";
import { collectProcessMetrics } from "./metrics/registry.ts";
import type { RunnerServer } from "./runner/runner_server.ts";
import { startPureRunner } from "./runner/start_pure_runner.ts";

/** Options of {@linkcode startNode}; parts given here are used instead of built. */
export interface StartNodeOptions {
  /** A datastore to use (not closed by the node). @default {opened from FN_DB_URL} */
  readonly datastore?: Datastore;
  /** An agent to use (not closed by the node). */
  readonly agent?: Agent;
  /** Lookups for invoke/triggers. @default {the datastore} */
  readonly lookup?: EntityLookup;
  /** Interface to listen on. @default {"0.0.0.0"} */
  readonly hostname?: string;
  /** @default {the root logger} */
  readonly log?: Logger;
  /**
   * The process exits once the node stopped (`main.ts`): gRPC connections are left to
   * the exit instead of being closed with GOAWAY, which Deno 2.9.6 can abort the peer on
   * (denoland/deno#36788; README, known issues). Calls in flight still finish first.
   * @default {false}
   */
  readonly processExits?: boolean;
}

/** A running node. */
export interface RunningNode extends AsyncDisposable {
  /** The port the HTTP server listens on (useful with FN_PORT=0). */
  readonly port: number;
  /** Settles when the node has closed. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting requests, lets in-flight ones finish (at most `shutdownGraceMs`),
   * then closes the agent and the datastore the node opened. Idempotent.
   */
  close(): Promise<void>;
}

/** A node type that this build cannot run yet. */
export class UnsupportedNodeTypeError extends Error {
  constructor(nodeType: string) {
    super(
      `FN_NODE_TYPE=${nodeType} is not available in this build yet (it arrives with the ` +
        "scale-out work); run FN_NODE_TYPE=full or FN_NODE_TYPE=api instead",
    );
    this.name = "UnsupportedNodeTypeError";
  }
}

interface Owned {
  datastore?: Datastore;
  agent?: Agent;
  /** The gRPC listener of a pure runner. */
  runnerServer?: RunnerServer;
}

/**
 * Starts a node of `config.server.nodeType` and resolves once it listens.
 *
 * @throws {Error} when the datastore cannot be opened, the agent cannot start (Docker,
 *   runner TLS files) or a port cannot be bound
 */
export async function startNode(
  config: Config,
  options: StartNodeOptions = {},
): Promise<RunningNode> {
  const { server } = config;
  const log = (options.log ?? rootLog).child({ node_type: server.nodeType });
  collectProcessMetrics();
  const owned: Owned = {};
  try {
    // An LB reads FN_DB_URL only when it has no API node; a pure runner has no store.
    const wantsDatastore = server.nodeType === "full" || server.nodeType === "api" ||
      (server.nodeType === "lb" && server.db !== undefined && config.lb?.runnerApiUrl === "");
    const datastore = options.datastore ??
      (wantsDatastore ? await openOwnDatastore(config, log, owned) : undefined);
    const processExits = options.processExits ?? false;
    const agent = options.agent ?? await startOwnAgent(config, log, owned, processExits);
    if (server.nodeType === "pure-runner" && agent !== undefined) {
      owned.runnerServer = await startPureRunner(config, agent, log, { processExits });
    }
    const lbLookup = server.nodeType === "lb" ? createLbLookup(config) : undefined;
    // Call-path lookups in the node's own datastore are cached; its own writes clear them.
    const own = options.lookup === undefined && lbLookup === undefined && datastore !== undefined
      ? ownLookupCache(datastore)
      : undefined;
    const lookup = options.lookup ?? lbLookup ?? own?.lookup ?? datastore;
    const handler = createHandler({
      nodeType: server.nodeType,
      config: server,
      datastore: own?.datastore ?? datastore,
      agent,
      lookup,
      log,
    });
    return serve(handler, config, options.hostname ?? "0.0.0.0", log, owned);
  } catch (err) {
    await closeOwned(owned, 0, log);
    throw err;
  }
}

async function openOwnDatastore(config: Config, log: Logger, owned: Owned): Promise<Datastore> {
  if (config.server.db === undefined) {
    throw new Error(`FN_NODE_TYPE=${config.server.nodeType} needs a datastore: set FN_DB_URL`);
  }
  owned.datastore = await openDatastore(config.server.db, {
    logger: log,
    ...(config.server.dbConnectAttempts === undefined
      ? {}
      : { connectAttempts: config.server.dbConnectAttempts }),
  });
  return owned.datastore;
}

async function startOwnAgent(
  config: Config,
  log: Logger,
  owned: Owned,
  processExits: boolean,
): Promise<Agent | undefined> {
  switch (config.server.nodeType) {
    case "full":
      owned.agent = await startLocalAgent(config.agent, log, {
        role: "full",
        port: config.server.port,
      });
      break;
    case "pure-runner": {
      // A full runner must NACK at once so that the LB can try another runner.
      const nonBlocking = config.runner?.nonBlocking ?? true;
      owned.agent = await startLocalAgent(
        { ...config.agent, nonBlockingResourceTracker: nonBlocking },
        log,
        { role: "pure-runner", port: config.runner?.grpcPort ?? 9190 },
      );
      break;
    }
    case "lb":
      owned.agent = createLbAgent(config, log, { processExits });
      break;
    default:
      return undefined;
  }
  // Calls are counted (fn_calls, fn_running, ...) alike on every node type that runs them.
  owned.agent = meterAgent(owned.agent);
  return owned.agent;
}

function serve(
  handler: (req: Request) => Promise<Response>,
  config: Config,
  hostname: string,
  log: Logger,
  owned: Owned,
): RunningNode {
  const abort = new AbortController();
  const inFlight = new InFlightRequests(log);
  const server = Deno.serve({
    port: config.server.port,
    hostname,
    signal: abort.signal,
    onListen: () => {},
  }, inFlight.wrap(handler));
  const port = server.addr.port;
  log.info("fnd listening", { port, hostname });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutdown({
      server,
      abort,
      inFlight,
      graceMs: config.server.shutdownGraceMs,
      log,
      owned,
    });
    return closing;
  };
  const finished = server.finished.then(() => close());
  return { port, finished, close, [Symbol.asyncDispose]: close };
}

interface Shutdown {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  readonly abort: AbortController;
  readonly inFlight: InFlightRequests;
  readonly graceMs: number;
  readonly log: Logger;
  readonly owned: Owned;
}

async function shutdown({ server, abort, inFlight, graceMs, log, owned }: Shutdown): Promise<void> {
  const deadline = Date.now() + graceMs;
  log.info("fnd shutting down", { grace_ms: graceMs, in_flight: inFlight.count });
  // The agent stops taking calls now: calls still waiting for a container get 503 at once
  // (agent.md §3.4) instead of a container started during shutdown; running calls get the
  // same grace period as the requests. `closeOwned` below waits for this same close.
  void owned.agent?.close(graceMs).catch(() => {});
  // Drain before `shutdown()`: it would cut off request bodies still being read.
  let finished = await inFlight.drain(graceMs);
  if (finished) finished = await within(server.shutdown(), deadline - Date.now());
  if (!finished) {
    log.warn("requests still running after the shutdown grace period; closing them", {
      grace_ms: graceMs,
      in_flight: inFlight.count,
    });
    abort.abort();
  }
  await server.finished.catch(() => {});
  await closeOwned(owned, Math.max(0, deadline - Date.now()), log);
  log.info("fnd stopped");
}

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeOwned(owned: Owned, graceMs: number, log: Logger): Promise<void> {
  try {
    // Runner streams finish (or are cut) before the agent that runs them closes.
    await owned.runnerServer?.close(graceMs);
  } catch (err) {
    log.error("closing the runner's gRPC server failed", {
      error: err instanceof Error ? err : String(err),
    });
  }
  try {
    await owned.agent?.close(graceMs);
  } catch (err) {
    log.error("closing the agent failed", { error: err instanceof Error ? err : String(err) });
  }
  try {
    await owned.datastore?.[Symbol.asyncDispose]();
  } catch (err) {
    log.error("closing the datastore failed", { error: err instanceof Error ? err : String(err) });
  }
}
