/**
 * fnd's entry point: read the configuration, start the node, stop it cleanly on
 * SIGINT/SIGTERM (in-flight requests finish first; a second signal exits at once).
 *
 * Exit codes: 0 after a clean shutdown, 1 on bad configuration or a failed start.
 *
 * @module
 */

import { ConfigError, loadConfig } from "./config.ts";
import { configureLogging, log } from "./log.ts";
import { setMachineId } from "./models/id.ts";
import { machineIdFor } from "./machine_id.ts";
import { startNode, UnsupportedNodeTypeError } from "./node.ts";

const encoder = new TextEncoder();

function printError(message: string): void {
  Deno.stderr.writeSync(encoder.encode(`fnd: ${message}\n`));
}

/** Runs fnd until it is told to stop; resolves with the process exit code. */
export async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printError(err.message);
    return 1;
  }
  configureLogging({ level: config.server.logLevel, format: config.server.logFormat });
  for (const warning of config.warnings ?? []) log.warn(warning);
  let node;
  try {
    node = await startNode(config, { processExits: true });
  } catch (err) {
    if (err instanceof UnsupportedNodeTypeError) printError(err.message);
    else log.error("fnd could not start", { error: err instanceof Error ? err : String(err) });
    return 1;
  }
  // The port bound, not FN_PORT: with FN_PORT=0 two processes on one host would share
  // a machine id. Ids minted before this use a random one (models/id.ts).
  setMachineId(machineIdFor(node.port));
  let signals = 0;
  const onSignal = (signal: Deno.Signal) => () => {
    signals++;
    if (signals > 1) {
      log.warn("second signal: exiting without waiting", { signal });
      Deno.exit(1);
    }
    log.info("signal received", { signal });
    void node.close();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, onSignal(signal));
  }
  await node.finished;
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
