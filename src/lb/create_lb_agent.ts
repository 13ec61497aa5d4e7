/**
 * Assembles an LB node's agent from the configuration: one `GrpcRunner` per
 * `FN_RUNNER_ADDRESSES` entry (TLS/mTLS when configured) in a static pool, the
 * placer `FN_PLACER` names, and the `LbAgent`; plus the API-node lookups when
 * `FN_RUNNER_API_URL` is set.
 *
 * @module
 */

import type { EntityLookup } from "../api/route_context.ts";
import type { Config } from "../config.ts";
import { channelSecurity, tlsEnabled } from "../grpc/tls_files.ts";
import type { Logger } from "../log.ts";
import { ApiNodeLookup } from "./api_node_lookup.ts";
import { ConsistentHashPlacer } from "./ch_placer.ts";
import { GrpcRunner } from "./grpc_runner.ts";
import { LbAgent } from "./lb_agent.ts";
import type { LbConfig } from "./lb_config.ts";
import { LbMetrics } from "./lb_metrics.ts";
import { DEFAULT_RESPONSE_HOLD_BYTES } from "./lb_response.ts";
import { NaivePlacer } from "./naive_placer.ts";
import type { Placer } from "./placer.ts";
import type { RunnerAttempt } from "./runner_attempt.ts";
import { StaticRunnerPool } from "./static_runner_pool.ts";

/** Body bytes kept for replays when `FN_MAX_REQUEST_SIZE` is unlimited. */
export const DEFAULT_REPLAY_LIMIT_BYTES = 64 << 20;

/** How the LB agent is embedded. */
export interface CreateLbAgentOptions {
  /**
   * The process exits once the agent closed: its runner connections are left to the
   * exit instead of being closed with GOAWAY (see `GrpcRunnerOptions.closeWithoutGoaway`).
   * @default {false}
   */
  readonly processExits?: boolean;
}

/**
 * The LB agent of `config` (an `lb` node's).
 *
 * @throws {Error} when `config.lb` is missing or a TLS file cannot be read
 */
export function createLbAgent(
  config: Config,
  log: Logger,
  options: CreateLbAgentOptions = {},
): LbAgent {
  const lb = lbSection(config);
  const names = { ca: "FN_RUNNER_CA_FILE", cert: "FN_RUNNER_CERT_FILE", key: "FN_RUNNER_KEY_FILE" };
  if (!tlsEnabled(lb.runnerTls)) {
    log.info("Created insecure grpc connection", { runners: lb.runnerAddresses });
  }
  const runners = lb.runnerAddresses.map((address) => {
    const security = channelSecurity(lb.runnerTls, names, address);
    return new GrpcRunner(address, {
      credentials: security.credentials,
      channelOptions: security.options,
      connectTimeoutMs: lb.runnerConnectTimeoutMs,
      keepaliveMs: lb.runnerKeepaliveMs,
      keepaliveTimeoutMs: lb.runnerKeepaliveTimeoutMs,
      closeWithoutGoaway: options.processExits ?? false,
      log,
    });
  });
  const pool = new StaticRunnerPool<RunnerAttempt>(runners);
  const metrics = new LbMetrics();
  const placer: Placer<RunnerAttempt> = lb.placer === "ch"
    ? new ConsistentHashPlacer(pool, metrics, lb.placerConfig)
    : new NaivePlacer(pool, metrics, lb.placerConfig);
  const maxRequestBytes = config.server.maxRequestBytes;
  log.info("LB agent ready", { placer: lb.placer, runners: lb.runnerAddresses.length });
  return new LbAgent({
    placer,
    pool,
    placerConfig: lb.placerConfig,
    replayLimitBytes: maxRequestBytes > 0 ? maxRequestBytes : DEFAULT_REPLAY_LIMIT_BYTES,
    executionHeadroomMs: config.agent.executionHeadroomMs,
    // Answers up to FN_MAX_RESPONSE_SIZE keep Fn's error status when the runner
    // fails them after partial output (Fn's LB buffers every answer).
    responseHoldBytes: config.agent.maxResponseBytes > 0
      ? config.agent.maxResponseBytes
      : DEFAULT_RESPONSE_HOLD_BYTES,
    metrics,
    log,
  });
}

/** The API-node lookups of an LB, or undefined when it reads the datastore. */
export function createLbLookup(config: Config): EntityLookup | undefined {
  const lb = lbSection(config);
  return lb.runnerApiUrl === "" ? undefined : new ApiNodeLookup(lb.runnerApiUrl);
}

function lbSection(config: Config): LbConfig {
  if (config.lb === undefined) {
    throw new Error("the LB configuration is missing: load it with FN_NODE_TYPE=lb");
  }
  return config.lb;
}
