/**
 * The processes the bench measures, started on loopback with their own container label:
 * a full node (temp SQLite), and the scale-out set (an api node the LB reads from, two
 * pure runners, one LB).
 *
 * @module
 */

import { removeContainersTagged } from "../tests/_call_node.ts";
import { type FndProcess, startFnd } from "../tests/_server.ts";

/** A started process and its role. */
export interface BenchProcess {
  readonly role: string;
  readonly proc: FndProcess;
}

/** Processes that are stopped (and their containers removed) together. */
export interface Topology extends AsyncDisposable {
  /** Where calls go (the full node or the LB). */
  readonly callUrl: string;
  /** Where the v2 API is (the full node or the api node). */
  readonly apiUrl: string;
  readonly processes: readonly BenchProcess[];
}

/** A fresh container label for one topology. */
function benchTag(name: string): string {
  return `fnd-bench-${name}-${crypto.randomUUID().slice(0, 8)}`;
}

function topology(
  callUrl: string,
  apiUrl: string,
  processes: BenchProcess[],
  tags: string[],
): Topology {
  return {
    callUrl,
    apiUrl,
    processes,
    [Symbol.asyncDispose]: async () => {
      // Call-path processes first, so nothing calls into a stopped one.
      for (const p of [...processes].reverse()) await p.proc.stop();
      for (const tag of tags) await removeContainersTagged(tag);
    },
  };
}

/** A full node with `env` on top of the defaults. */
export async function startFullNode(env: Record<string, string> = {}): Promise<Topology> {
  const tag = benchTag("full");
  const proc = await startFnd({ env: { FN_CONTAINER_LABEL_TAG: tag, ...env } });
  return topology(proc.url, proc.url, [{ role: "full", proc }], [tag]);
}

async function startRunner(name: string, tag: string): Promise<BenchProcess & { grpc: string }> {
  const proc = await startFnd({
    env: { FN_NODE_TYPE: "pure-runner", FN_GRPC_PORT: "0", FN_CONTAINER_LABEL_TAG: tag },
  });
  const line = await proc.waitForLog(/pure runner listening/);
  const port = /grpc_port=(\d+)|"grpc_port":(\d+)/.exec(line);
  return { role: name, proc, grpc: `127.0.0.1:${port?.[1] ?? port?.[2]}` };
}

/** An api node, two pure runners and an LB placing on both. */
export async function startScaleOut(): Promise<Topology> {
  const processes: BenchProcess[] = [];
  const tags = [benchTag("runner1"), benchTag("runner2")];
  try {
    const api = await startFnd({ env: { FN_NODE_TYPE: "api" } });
    processes.push({ role: "api", proc: api });
    const runners = [
      await startRunner("runner1", tags[0]!),
      await startRunner("runner2", tags[1]!),
    ];
    processes.push(...runners);
    const lb = await startFnd({
      env: {
        FN_NODE_TYPE: "lb",
        FN_RUNNER_API_URL: api.url,
        FN_RUNNER_ADDRESSES: runners.map((r) => r.grpc).join(","),
      },
    });
    processes.push({ role: "lb", proc: lb });
    return topology(lb.url, api.url, processes, tags);
  } catch (err) {
    await topology("", "", processes, tags)[Symbol.asyncDispose]();
    throw err;
  }
}

/** Creates an app (once per name) and a fn of `image` through the v2 API; returns the fn id. */
export async function deployFn(
  apiUrl: string,
  image: string,
  appName: string,
  fnName: string,
): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  let app = await post("/v2/apps", { name: appName });
  if (app.status === 409) {
    const list = await (await fetch(`${apiUrl}/v2/apps?name=${appName}`)).json();
    app = { status: 200, json: list.items[0] };
  }
  if (app.status !== 200) throw new Error(`cannot create app ${appName}: ${JSON.stringify(app)}`);
  const fn = await post("/v2/fns", { "app_id": app.json.id, name: fnName, image, memory: 128 });
  if (fn.status !== 200) throw new Error(`cannot create fn ${fnName}: ${JSON.stringify(fn)}`);
  return fn.json.id;
}
