/**
 * The hardened `docker create` options of a function container (`agent.md` §2.3).
 *
 * @module
 */

import type Docker from "dockerode";
import type { AgentConfig } from "../agent_config.ts";
import type { ContainerSpec } from "../container.ts";

/** Label keys fnd puts on its containers. */
export const LABELS = {
  classifier: "fnd.classifier",
  instance: "fnd.instance",
  node: "fnd.node",
  appId: "fnd.app_id",
  fnId: "fnd.fn_id",
} as const;

/** Where the function's socket dir is mounted inside the container. */
export const IOFS_CONTAINER_PATH = "/tmp/iofs";

/** Per-container facts that are not in the spec. */
export interface CreateContext {
  /** This process's instance id (label `fnd.instance`). */
  readonly instanceId: string;
  /** The node's identity (label `fnd.node`). */
  readonly nodeId: string;
  /** The IOFS dir as the engine sees it; undefined for formats without a socket. */
  readonly iofsDockerDir?: string;
  /** The network picked for this container, or undefined for Docker's default. */
  readonly network?: string;
  /** The host's name, used as Hostname on the default network (as Fn does). */
  readonly hostname: string;
  /** False on cgroup v2 engines, which reject MemorySwappiness. */
  readonly swappinessSupported: boolean;
  /** Attach stdin (the legacy stdin/stdout formats). */
  readonly stdin: boolean;
  /** `default` format: stdin is closed after the first attach ends. */
  readonly stdinOnce?: boolean;
  /** Extra env entries (the `default` format's per-call variables). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

function ulimits(config: AgentConfig): { Name: string; Soft: number; Hard: number }[] {
  const limits: [string, number][] = [
    ["nofile", config.maxOpenFiles],
    ["memlock", config.maxLockedMemoryBytes],
    ["sigpending", config.maxPendingSignals],
    ["msgqueue", config.maxMessageQueueBytes],
  ];
  return limits.map(([Name, n]) => ({ Name, Soft: n, Hard: n }));
}

function logConfig(_spec: ContainerSpec): Docker.HostConfig["LogConfig"] {
  // fnd sends the output to the app's syslog_url itself (src/logs), line by line with
  // the call id; Docker's syslog driver would send every line a second time.
  return { Type: "none", Config: {} };
}

function hostConfig(
  spec: ContainerSpec,
  config: AgentConfig,
  ctx: CreateContext,
): Docker.HostConfig {
  const host: Docker.HostConfig = {
    ReadonlyRootfs: !config.disableReadonlyRootfs,
    Init: true,
    LogConfig: logConfig(spec),
    Ulimits: ulimits(config),
    Binds: ctx.iofsDockerDir ? [`${ctx.iofsDockerDir}:${IOFS_CONTAINER_PATH}`] : [],
  };
  if (spec.memoryMb > 0) {
    host.Memory = spec.memoryMb * 1024 * 1024;
    host.MemorySwap = host.Memory; // swap == memory: no swap
    if (ctx.swappinessSupported) host.MemorySwappiness = 0;
  }
  if (spec.cpuMillis > 0) {
    host.CpuQuota = spec.cpuMillis * 100;
    host.CpuPeriod = 100_000;
  }
  if (config.maxFsSizeMb > 0) host.StorageOpt = { size: `${config.maxFsSizeMb}M` };
  if (config.maxPids > 0) host.PidsLimit = config.maxPids;
  if (!config.disableReadonlyRootfs) host.Tmpfs = { "/tmp": "" };
  if (!config.disableUnprivilegedContainers) {
    host.CapDrop = ["all"];
    host.SecurityOpt = ["no-new-privileges"];
  }
  if (spec.networkDisabled) host.NetworkMode = "none";
  else if (ctx.network !== undefined) host.NetworkMode = ctx.network;
  return host;
}

/** Builds the create options for `spec` (name = `spec.id`, image defaults for entry point). */
export function buildCreateOptions(
  spec: ContainerSpec,
  config: AgentConfig,
  ctx: CreateContext,
): Docker.ContainerCreateOptions {
  const env = { ...spec.env, ...ctx.extraEnv };
  const labels: Record<string, string> = {
    [LABELS.instance]: ctx.instanceId,
    [LABELS.node]: ctx.nodeId,
    [LABELS.appId]: spec.appId,
    [LABELS.fnId]: spec.fnId,
  };
  if (config.containerLabelTag !== "") labels[LABELS.classifier] = config.containerLabelTag;
  const host = hostConfig(spec, config, ctx);
  const options: Docker.ContainerCreateOptions = {
    name: spec.id,
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    AttachStdin: ctx.stdin,
    OpenStdin: ctx.stdin,
    StdinOnce: ctx.stdinOnce ?? false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Labels: labels,
    HostConfig: host,
  };
  if (!config.disableUnprivilegedContainers) options.User = "1000:1000";
  if (host.NetworkMode === undefined) options.Hostname = ctx.hostname;
  return options;
}
