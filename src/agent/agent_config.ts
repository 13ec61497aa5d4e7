/**
 * Configuration of the local agent (Docker driver, scheduling, limits), from Fn's
 * variable names (`agent.md` §6). Times are in ms; a negative value means "never".
 *
 * @module
 */

import type { EnvReader } from "../_env.ts";

/** Settings of the local agent. */
export interface AgentConfig {
  /** Idle time before `docker pause`; < 0 = never. */
  readonly freezeIdleMs: number;
  /** How often a waiting call re-signals the launcher. */
  readonly hotPollMs: number;
  readonly hotLauncherTimeoutMs: number;
  readonly hotPullTimeoutMs: number;
  /** From `docker start` until the function's socket must be ready. */
  readonly hotStartTimeoutMs: number;
  /** Extra time an LB gives detached calls on top of their timeout. */
  readonly executionHeadroomMs: number;
  /** Response bodies larger than this get 502; 0 = unlimited. */
  readonly maxResponseBytes: number;
  /** Response headers larger than this get 502; 0 = 10 MiB. */
  readonly maxResponseHeaderBytes: number;
  /** Per-call function log cap. */
  readonly maxLogBytes: number;
  /** Schedulable CPU; 0 = the machine's. */
  readonly maxTotalCpuMillis: number;
  /** Schedulable memory; 0 = the machine's available memory less head room. */
  readonly maxTotalMemoryBytes: number;
  readonly maxFsSizeMb: number;
  readonly maxPids: number;
  readonly maxOpenFiles: number;
  readonly maxLockedMemoryBytes: number;
  readonly maxPendingSignals: number;
  readonly maxMessageQueueBytes: number;
  readonly maxTmpfsInodes: number;
  readonly disableReadonlyRootfs: boolean;
  /** true: containers run as root with all capabilities (not recommended). */
  readonly disableUnprivilegedContainers: boolean;
  readonly disableDebugUserLogs: boolean;
  /** true: answer 503 at once instead of waiting for capacity. */
  readonly nonBlockingResourceTracker: boolean;
  /** Label value marking fnd's containers, used to remove leftovers at start. */
  readonly containerLabelTag: string;
  /**
   * This node's identity on its containers (label `fnd.node`); leftovers are removed
   * only from the same node. "" = derived from role, host and port (`node_identity.ts`).
   */
  readonly containerNodeId: string;
  /** Networks to spread containers over (least used first); empty = Docker's default. */
  readonly dockerNetworks: readonly string[];
  /** A `docker save` tarball loaded at start-up. */
  readonly dockerLoadFile: string;
  readonly imageEnableVolume: boolean;
  /** Parent dir of per-container socket dirs, as fnd sees it ("" = OS temp dir). */
  readonly iofsPath: string;
  /** The same parent as the Docker engine sees it ("" = same as iofsPath). */
  readonly iofsDockerPath: string;
  /** Docker registry auth config JSON (docker config format). */
  readonly dockerAuth: string;
  /** How often running containers are sampled for `fn_docker_stats_*`; 0 = never. */
  readonly dockerStatsIntervalMs?: number;
}

/** Reads the agent's section of the configuration; problems go to `reader.errors`. */
export function readAgentConfig(reader: EnvReader): AgentConfig {
  return {
    freezeIdleMs: reader.int("FN_FREEZE_IDLE_MSECS", 50),
    hotPollMs: reader.int("FN_HOT_POLL_MSECS", 200, { min: 1 }),
    hotLauncherTimeoutMs: reader.int("FN_HOT_LAUNCHER_TIMEOUT_MSECS", 3_600_000, { min: 1 }),
    hotPullTimeoutMs: reader.int("FN_HOT_PULL_TIMEOUT_MSECS", 600_000, { min: 1 }),
    hotStartTimeoutMs: reader.int("FN_HOT_START_TIMEOUT_MSECS", 5000, { min: 1 }),
    executionHeadroomMs: reader.int("FN_EXECUTION_HEADROOM", 360_000, { min: 0 }),
    maxResponseBytes: reader.int("FN_MAX_RESPONSE_SIZE", 0, { min: 0 }),
    maxResponseHeaderBytes: reader.int("FN_MAX_HDR_RESPONSE_SIZE", 0, { min: 0 }),
    maxLogBytes: reader.int("FN_MAX_LOG_SIZE_BYTES", 1_048_576, { min: 0 }),
    maxTotalCpuMillis: reader.int("FN_MAX_TOTAL_CPU_MCPUS", 0, { min: 0 }),
    maxTotalMemoryBytes: reader.int("FN_MAX_TOTAL_MEMORY_BYTES", 0, { min: 0 }),
    maxFsSizeMb: reader.int("FN_MAX_FS_SIZE_MB", 0, { min: 0 }),
    maxPids: reader.int("FN_MAX_PIDS", 50, { min: 0 }),
    maxOpenFiles: reader.int("FN_MAX_OPEN_FILES", 350, { min: 0 }),
    maxLockedMemoryBytes: reader.int("FN_MAX_LOCKED_MEMORY", 65536, { min: 0 }),
    maxPendingSignals: reader.int("FN_MAX_PENDING_SIGNALS", 5000, { min: 0 }),
    maxMessageQueueBytes: reader.int("FN_MAX_MESSAGE_QUEUE", 819200, { min: 0 }),
    maxTmpfsInodes: reader.int("FN_MAX_TMPFS_INODES", 0, { min: 0 }),
    disableReadonlyRootfs: reader.bool("FN_DISABLE_READONLY_ROOTFS", false),
    disableUnprivilegedContainers: reader.bool("FN_DISABLE_UNPRIVILEGED_CONTAINERS", false),
    disableDebugUserLogs: reader.bool("FN_DISABLE_DEBUG_USER_LOGS", false),
    nonBlockingResourceTracker: reader.bool("FN_ENABLE_NB_RESOURCE_TRACKER", false),
    containerLabelTag: reader.string("FN_CONTAINER_LABEL_TAG", "fnd").trim(),
    containerNodeId: reader.string("FN_CONTAINER_NODE_ID", "").trim(),
    dockerNetworks: reader.list("FN_DOCKER_NETWORKS", /\s+/),
    dockerLoadFile: reader.string("FN_DOCKER_LOAD_FILE", "").trim(),
    imageEnableVolume: reader.bool("FN_IMAGE_ENABLE_VOLUME", false),
    iofsPath: reader.string("FN_IOFS_PATH", "").trim(),
    iofsDockerPath: reader.string("FN_IOFS_DOCKER_PATH", "").trim(),
    dockerAuth: reader.string("FN_DOCKER_AUTH", ""),
    dockerStatsIntervalMs: reader.int("FN_DOCKER_STATS_INTERVAL_MSECS", 5000, { min: 0 }),
  };
}
