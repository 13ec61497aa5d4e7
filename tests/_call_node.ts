/**
 * Test helper for call-path integration tests: a real fnd full node with its own
 * container label tag (so tests never touch each other's containers), deploying test
 * functions through the real API, and looking at the node's containers with Docker.
 *
 * ```ts
 * await using node = await startCallNode({ FN_LOG_LEVEL: "debug" });
 * const { fnId } = await node.deploy({ image: images.hello });
 * const res = await fetch(`${node.url}/invoke/${fnId}`, { method: "POST", body: "x" });
 * ```
 *
 * @module
 */

import Docker from "dockerode";
import { type Client, client, type HttpResult } from "./_http.ts";
import { type FndProcess, startFnd } from "./_server.ts";

const docker = new Docker();

/** A fresh container label tag, e.g. `fndtest-3f9a1c2e`. */
export function uniqueTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return "fndtest-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What {@linkcode CallNode.deploy} creates. */
export interface DeployOptions {
  readonly image: string;
  /** @default {a unique name} */
  readonly app?: string;
  readonly fn?: string;
  readonly memory?: number;
  readonly timeout?: number;
  readonly idleTimeout?: number;
  readonly config?: Record<string, string>;
  readonly appConfig?: Record<string, string>;
  readonly annotations?: Record<string, unknown>;
  /** Also create an HTTP trigger with this source. */
  readonly trigger?: string;
}

/** Ids of a deployed function. */
export interface Deployed {
  readonly appId: string;
  readonly appName: string;
  readonly fnId: string;
}

/** A running full node for call tests. */
export interface CallNode extends AsyncDisposable {
  readonly fnd: FndProcess;
  readonly url: string;
  readonly api: Client;
  /** This node's `FN_CONTAINER_LABEL_TAG`. */
  readonly tag: string;
  /** Creates an app (unless it exists), a fn and optionally a trigger. */
  deploy(options: DeployOptions): Promise<Deployed>;
  /** Containers (running or not) carrying this node's tag. */
  containers(): Promise<Docker.ContainerInfo[]>;
  /**
   * The first log line (written or future) matching `pattern`.
   *
   * @throws {Error} with the log's tail when none appears within `timeoutMs`
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * Starts a full node with a unique label tag; disposing it stops the node and removes
 * any container still carrying the tag (also after a failed test).
 */
export async function startCallNode(
  env: Record<string, string> = {},
  tag: string = uniqueTag(),
): Promise<CallNode> {
  const fnd = await startFnd({ env: { FN_CONTAINER_LABEL_TAG: tag, ...env } });
  const api = client(fnd.url);
  let apps = 0;
  return {
    fnd,
    url: fnd.url,
    api,
    tag,
    deploy: (options) => deploy(api, options, `app${++apps}`),
    containers: () => containersTagged(tag),
    waitForLog: (pattern, timeoutMs = 30_000) => waitForLog(fnd, pattern, timeoutMs),
    [Symbol.asyncDispose]: async () => {
      try {
        await fnd.stop();
      } finally {
        await removeContainersTagged(tag);
      }
    },
  };
}

async function waitForLog(fnd: FndProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = fnd.stderr().split("\n").slice(-20).join("\n");
      reject(
        new Error(`no log line matched ${pattern} within ${timeoutMs} ms; log tail:\n${tail}`),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([fnd.waitForLog(pattern), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function deploy(api: Client, o: DeployOptions, defaultApp: string): Promise<Deployed> {
  const appName = o.app ?? defaultApp;
  let app = await api.post("/v2/apps", { name: appName, config: o.appConfig ?? {} });
  if (app.status === 409) app = await api.get(`/v2/apps?name=${appName}`);
  const appId: string = app.json.id ?? app.json.items?.[0]?.id;
  if (appId === undefined) throw new Error(`cannot create app ${appName}: ${app.text}`);
  const fn = await api.post("/v2/fns", {
    app_id: appId,
    name: o.fn ?? `fn${crypto.randomUUID().slice(0, 8)}`,
    image: o.image,
    memory: o.memory ?? 64,
    timeout: o.timeout ?? 30,
    idle_timeout: o.idleTimeout ?? 30,
    config: o.config ?? {},
    annotations: o.annotations ?? {},
  });
  if (fn.status !== 200) throw new Error(`cannot create fn: ${fn.status} ${fn.text}`);
  if (o.trigger !== undefined) {
    const trigger = await api.post("/v2/triggers", {
      app_id: appId,
      fn_id: fn.json.id,
      name: `t${crypto.randomUUID().slice(0, 8)}`,
      type: "http",
      source: o.trigger,
    });
    if (trigger.status !== 200) throw new Error(`cannot create trigger: ${trigger.text}`);
  }
  return { appId, appName, fnId: fn.json.id };
}

/** Containers (running or not) labelled with `tag`. */
export function containersTagged(tag: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`fnd.classifier=${tag}`] }),
  });
}

/** Force-removes every container labelled with `tag`. */
export async function removeContainersTagged(tag: string): Promise<void> {
  const list = await containersTagged(tag);
  await Promise.all(
    list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})),
  );
}

/** Kills a container the way a crash would (SIGKILL). */
export async function killContainer(id: string): Promise<void> {
  await docker.getContainer(id).kill({ signal: "SIGKILL" });
}

/** A process's resident memory in bytes (`VmRSS` in /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Reads a response body to the end, counting bytes without keeping them. */
export async function countBytes(body: ReadableStream<Uint8Array> | null): Promise<number> {
  let n = 0;
  if (body === null) return n;
  for await (const chunk of body) n += chunk.byteLength;
  return n;
}

/** fdk-node writes `\n<NAME>=<Fn-Call-Id>\n` at the start of each call with these. */
export const FRAME_CONFIG = { FN_LOGFRAME_NAME: "frame", FN_LOGFRAME_HDR: "Fn-Call-Id" };

/** Memory for exactly one 128 MB container (`FN_MAX_TOTAL_MEMORY_BYTES`). */
export const ONE_SLOT_MEMORY = String(200 * 1024 * 1024);

/**
 * Takes a node's only container slot (see {@linkcode ONE_SLOT_MEMORY}): deploys `image`
 * (a sleeping function that prints fdk-node's call frames) at 128 MB and calls it with
 * `sleepMs`, resolving once the call runs. `busy` settles with that call's answer.
 */
export async function holdTheOnlySlot(
  node: CallNode,
  image: string,
  sleepMs: number,
): Promise<{ readonly busy: Promise<HttpResult> }> {
  const holder = await node.deploy({ image, memory: 128, config: FRAME_CONFIG });
  const busy = node.api.post(`/invoke/${holder.fnId}`, String(sleepMs));
  await node.waitForLog(/frame=\w{26}/);
  return { busy };
}
