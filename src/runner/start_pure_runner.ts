/**
 * Assembles a pure-runner node's gRPC side: the `PureRunner` over the node's local
 * agent, served on `FN_GRPC_PORT` in plaintext or TLS/mTLS.
 *
 * @module
 */

import type { Agent } from "../agent/call.ts";
import type { Config } from "../config.ts";
import { serverCredentials, tlsEnabled } from "../grpc/tls_files.ts";
import type { Logger } from "../log.ts";
import { PureRunner } from "./pure_runner.ts";
import { type RunnerServer, startRunnerServer } from "./runner_server.ts";

/**
 * Starts the runner protocol for `agent`.
 *
 * @throws {Error} when the config has no runner section, a TLS file cannot be read, or
 *   the port cannot be bound (`Could not listen on <addr>`)
 */
export async function startPureRunner(
  config: Config,
  agent: Agent,
  log: Logger,
  options: { readonly processExits?: boolean } = {},
): Promise<RunnerServer> {
  const runnerConfig = config.runner;
  if (runnerConfig === undefined) {
    throw new Error("the runner configuration is missing: load it with FN_NODE_TYPE=pure-runner");
  }
  const credentials = serverCredentials(runnerConfig.tls, {
    ca: "FN_GRPC_CA_FILE",
    cert: "FN_GRPC_CERT_FILE",
    key: "FN_GRPC_KEY_FILE",
  });
  if (!tlsEnabled(runnerConfig.tls)) log.info("Running pure runner in insecure mode!");
  const runner = new PureRunner({ agent, statusImage: runnerConfig.statusImage, log });
  const server = await startRunnerServer({
    runner,
    port: runnerConfig.grpcPort,
    credentials,
    ...(options.processExits ? { processExits: true } : {}),
  });
  log.info("pure runner listening", {
    grpc_port: server.port,
    status_image: runnerConfig.statusImage || undefined,
    tls: tlsEnabled(runnerConfig.tls),
    non_blocking: runnerConfig.nonBlocking,
  });
  return server;
}
