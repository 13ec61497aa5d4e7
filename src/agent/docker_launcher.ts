/**
 * The Docker implementation of {@linkcode ContainerLauncher}: makes sure the image is
 * present (pull or `FN_DOCKER_LOAD_FILE`), then starts a hot container in the function's
 * format (http-stream, `http`, `json`) or a cold `default`-format one, and removes every
 * container it started on `close()`.
 *
 * ```ts
 * const launcher = await createDockerLauncher(config.agent);
 * await launcher.removeLeftovers();
 * const container = await launcher.launch(spec, AbortSignal.timeout(60_000));
 * ```
 *
 * @module
 */

import Docker from "dockerode";
import { hostname } from "node:os";
import { log as rootLogger, type Logger } from "../log.ts";
import { DockerStatsPoller } from "../metrics/docker_stats.ts";
import { serverTooBusy } from "../models/api_error.ts";
import type { AgentConfig } from "./agent_config.ts";
import type { ContainerLauncher, ContainerSpec, HotContainer } from "./container.ts";
import { ColdContainer } from "./docker/cold_container.ts";
import { type EngineContext, removeContainer } from "./docker/container_ops.ts";
import { LABELS } from "./docker/create_options.ts";
import { connectDocker } from "./docker/docker_connect.ts";
import { ImagePuller } from "./docker/image_puller.ts";
import { loadImages } from "./docker/load_images.ts";
import { NetworkPicker } from "./docker/network_picker.ts";
import { RegistryAuth } from "./docker/registry_auth.ts";
import { startHotContainer } from "./docker/start_hot_container.ts";

/** Options for {@linkcode createDockerLauncher}. */
export interface DockerLauncherOptions {
  /** A client to use instead of one from `DOCKER_HOST` (tests). */
  readonly docker?: Docker;
  /** @default {the root logger} */
  readonly logger?: Logger;
  /** This process's instance id (label `fnd.instance`). @default {32 random hex chars} */
  readonly instanceId?: string;
  /**
   * The node's identity (label `fnd.node`, see `node_identity.ts`): leftovers are
   * removed only from containers of the same node.
   * @default {`FN_CONTAINER_NODE_ID`, else this host's name}
   */
  readonly nodeId?: string;
}

/** 32 random hex characters, as Fn's instance id. */
function randomInstanceId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Connects to Docker (ping + version check), reads registry auth, loads
 * `FN_DOCKER_LOAD_FILE`, and returns a ready launcher.
 *
 * @throws {Error} when Docker cannot be reached or is too old, `FN_DOCKER_AUTH` is not
 *   JSON, or the load file cannot be loaded
 */
export async function createDockerLauncher(
  config: AgentConfig,
  options: DockerLauncherOptions = {},
): Promise<DockerLauncher> {
  const engine = await connectDocker({ docker: options.docker });
  const auth = await RegistryAuth.fromEnvironment(config.dockerAuth);
  const logger = (options.logger ?? rootLogger).child({ component: "docker" });
  if (config.dockerLoadFile !== "") {
    const loaded = await loadImages(engine.docker, config.dockerLoadFile);
    logger.info("loaded images", { file: config.dockerLoadFile, images: loaded });
  }
  return new DockerLauncher(
    config,
    {
      docker: engine.docker,
      instanceId: options.instanceId ?? randomInstanceId(),
      nodeId: options.nodeId ?? (config.containerNodeId || hostname()),
      hostname: hostname(),
      swappinessSupported: engine.cgroupVersion !== "2",
    },
    auth,
    logger,
  );
}

/** Starts function containers on one Docker engine. */
export class DockerLauncher implements ContainerLauncher {
  /** This process's id, on every container as label `fnd.instance`. */
  readonly instanceId: string;
  /** This node's identity, on every container as label `fnd.node`. */
  readonly nodeId: string;
  readonly #config: AgentConfig;
  readonly #engine: EngineContext;
  readonly #puller: ImagePuller;
  readonly #networks: NetworkPicker;
  readonly #logger: Logger;
  readonly #live = new Set<HotContainer>();
  /** Samples this launcher's containers for `fn_docker_stats_*`, once there are any. */
  readonly #stats: DockerStatsPoller;
  #closed = false;

  /** Prefer {@linkcode createDockerLauncher}, which checks the engine first. */
  constructor(config: AgentConfig, engine: EngineContext, auth: RegistryAuth, logger: Logger) {
    this.#config = config;
    this.#engine = engine;
    this.instanceId = engine.instanceId;
    this.nodeId = engine.nodeId;
    this.#logger = logger;
    this.#networks = new NetworkPicker(config.dockerNetworks);
    this.#stats = new DockerStatsPoller(engine.docker, {
      label: `${LABELS.instance}=${engine.instanceId}`,
      appIdLabel: LABELS.appId,
      fnIdLabel: LABELS.fnId,
      intervalMs: config.dockerStatsIntervalMs ?? 5000,
      log: logger,
    });
    this.#puller = new ImagePuller(engine.docker, {
      pullTimeoutMs: config.hotPullTimeoutMs,
      enableVolume: config.imageEnableVolume,
      auth,
    });
  }

  /** The engine client (for callers that need stats or events). */
  get docker(): Docker {
    return this.#engine.docker;
  }

  async launch(spec: ContainerSpec, signal: AbortSignal): Promise<HotContainer> {
    if (this.#closed) throw serverTooBusy("the launcher is closed");
    signal.throwIfAborted();
    const { pullMs } = await this.#puller.ensure(spec.image, signal);
    signal.throwIfAborted();
    const deps = {
      engine: this.#engine,
      config: this.#config,
      networks: this.#networks,
      logger: this.#logger,
      onClosed: (c: HotContainer) => this.#live.delete(c),
    };
    const container = spec.format === "default"
      ? new ColdContainer(deps, spec, pullMs)
      : await startHotContainer(deps, spec, signal, pullMs);
    this.#live.add(container);
    this.#stats.start();
    if (this.#closed) {
      await container.close();
      throw serverTooBusy("the launcher closed during the launch");
    }
    return container;
  }

  /**
   * Force-removes leftovers of earlier processes of this node: containers labelled with
   * this classifier (`FN_CONTAINER_LABEL_TAG`) and this node's identity but another
   * instance id. Containers of other nodes on the same engine (another fnd on another
   * port or host, live or not) are left alone; containers without a node label were
   * made by an fnd from before node labels and count as this node's.
   */
  async removeLeftovers(): Promise<number> {
    const tag = this.#config.containerLabelTag;
    if (tag === "") return 0;
    const docker = this.#engine.docker;
    const list: Docker.ContainerInfo[] = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABELS.classifier}=${tag}`] }),
    });
    const stale = list.filter((c) => {
      const labels = c.Labels ?? {};
      const node = labels[LABELS.node];
      return labels[LABELS.instance] !== this.instanceId &&
        (node === undefined || node === this.nodeId);
    });
    await Promise.all(stale.map((c) => removeContainer(docker.getContainer(c.Id))));
    if (stale.length > 0) this.#logger.info("removed leftover containers", { count: stale.length });
    return stale.length;
  }

  /** Removes every container this launcher started; later launches get 503. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#stats.stop();
    const results = await Promise.allSettled([...this.#live].map((c) => c.close()));
    for (const r of results) {
      if (r.status === "rejected") {
        this.#logger.warn("container removal failed", { error: r.reason });
      }
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
