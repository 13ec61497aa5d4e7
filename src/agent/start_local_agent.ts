/**
 * The full node's agent, assembled: the Docker launcher (engine checked, load file
 * loaded), leftovers of earlier processes of this node removed, and a {@linkcode LocalAgent}
 * sized to the machine. Closing the agent removes every container it started.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { AgentConfig } from "./agent_config.ts";
import { createDockerLauncher } from "./docker_launcher.ts";
import { createLocalAgent, type LocalAgent } from "./local_agent.ts";
import { type NodeAddress, nodeIdentity } from "./node_identity.ts";

/**
 * Starts the local agent of a full node (or pure runner). `node` names the node on its
 * containers (unless `FN_CONTAINER_NODE_ID` does), so that the start-up cleanup only
 * removes leftovers of this node.
 *
 * @throws {Error} when Docker cannot be reached, the load file cannot be loaded or the
 *   machine's capacity cannot be sized; nothing is left running then
 */
export async function startLocalAgent(
  config: AgentConfig,
  log: Logger,
  node: NodeAddress,
): Promise<LocalAgent> {
  const nodeId = config.containerNodeId || nodeIdentity(node);
  const launcher = await createDockerLauncher(config, { logger: log, nodeId });
  try {
    // Before serving: a container left by a killed fnd holds memory and would never
    // be cleaned up otherwise.
    await launcher.removeLeftovers().catch((err) => {
      log.warn("cannot remove leftover containers", {
        error: err instanceof Error ? err.message : String(err),
      });
    });
    return createLocalAgent({ config, launcher, log: log.child({ component: "agent" }) });
  } catch (err) {
    await launcher.close();
    throw err;
  }
}
