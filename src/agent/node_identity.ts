/**
 * Which fnd node a container belongs to, stable across restarts of that node: its role,
 * host and listening port, e.g. `full@web1:8080` or `pure-runner@web1:9190`. Containers
 * carry it as label `fnd.node`, so the start-up cleanup of leftovers (containers of a
 * killed fnd) removes only the same node's, never those of another live fnd that shares
 * the Docker engine and `FN_CONTAINER_LABEL_TAG`. `FN_CONTAINER_NODE_ID` overrides it.
 *
 * @module
 */

import { hostname } from "node:os";

/** What identifies a node that runs functions. */
export interface NodeAddress {
  /** `full` or `pure-runner`. */
  readonly role: string;
  /** The port it serves on: `FN_PORT` for a full node, `FN_GRPC_PORT` for a runner. */
  readonly port: number;
}

/** `<role>@<host>:<port>` for `node` on this host (or `host`). */
export function nodeIdentity(node: NodeAddress, host: string = hostname()): string {
  return `${node.role}@${host}:${node.port}`;
}
