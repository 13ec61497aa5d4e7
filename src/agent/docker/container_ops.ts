/**
 * Single Docker container operations with Fn's error mapping (`agent.md` §2.3–2.5).
 *
 * @module
 */

import type Docker from "dockerode";
import { APIError, serverTooBusy } from "../../models/api_error.ts";
import type { ContainerExit } from "../container.ts";

/** Everything the launcher needs from the engine and its settings. */
export interface EngineContext {
  readonly docker: Docker;
  readonly instanceId: string;
  /** The node's identity (label `fnd.node`, see `node_identity.ts`). */
  readonly nodeId: string;
  readonly hostname: string;
  readonly swappinessSupported: boolean;
}

/**
 * `docker create`.
 *
 * @throws {APIError} 503 `Timed out - server too busy` when the image vanished; other
 *   engine errors are rethrown (500)
 */
export async function createContainer(
  docker: Docker,
  options: Docker.ContainerCreateOptions,
): Promise<Docker.Container> {
  try {
    return await docker.createContainer(options);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) throw serverTooBusy(err);
    throw err;
  }
}

/**
 * `docker start`.
 *
 * @throws {APIError} 500 `Syslog Unavailable` when the syslog log driver cannot start;
 *   other engine errors are rethrown
 */
export async function startContainer(container: Docker.Container): Promise<void> {
  try {
    await container.start();
  } catch (err) {
    if (String((err as Error)?.message).includes("failed to initialize logging driver")) {
      throw new APIError(500, "Syslog Unavailable", { blame: "user", cause: err });
    }
    throw err;
  }
}

/** `docker rm -f -v`; a container that is already gone is fine. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) return; // gone, or removal already in progress
    throw err;
  }
}

/**
 * Resolves when the container stops running (call after `start`, so an early exit is
 * not missed), with its exit code and whether the OOM killer ended it.
 */
export async function waitExit(container: Docker.Container): Promise<ContainerExit> {
  let exitCode: number | undefined;
  try {
    const res = await container.wait({ condition: "not-running" }) as { StatusCode?: number };
    exitCode = res.StatusCode;
  } catch {
    return {}; // removed before it exited
  }
  try {
    const info = await container.inspect();
    return { exitCode, oomKilled: info.State?.OOMKilled ?? false };
  } catch {
    return { exitCode };
  }
}
