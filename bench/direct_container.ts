/**
 * The bench's lower bound: a function container started with plain Docker (the same
 * image, user, IOFS bind and FDK environment fnd uses) and called directly on its Unix
 * socket, with no platform in between.
 *
 * @module
 */

import Docker from "dockerode";

/** A running container and its socket. */
export interface DirectContainer extends AsyncDisposable {
  readonly socketPath: string;
  readonly id: string;
}

/** Label on every container the bench starts itself, for cleanup. */
export const BENCH_LABEL = "fnd.bench";

const docker = new Docker();

/**
 * Starts `image` with its socket dir bound at `/tmp/iofs` and resolves once the FDK
 * published `lsnr.sock` (watching the dir, bounded by `timeoutMs`).
 *
 * @throws {Error} when the container exits or the socket does not appear in time
 */
export async function startDirectContainer(
  image: string,
  timeoutMs = 30_000,
): Promise<DirectContainer> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-bench-iofs-" });
  await Deno.chmod(dir, 0o777);
  const container = await docker.createContainer({
    Image: image,
    name: `fnd-bench-direct-${crypto.randomUUID().slice(0, 8)}`,
    User: "1000:1000",
    Env: [
      "FN_LISTENER=unix:/tmp/iofs/lsnr.sock",
      "FN_FORMAT=http-stream",
      "FN_APP_ID=bench",
      "FN_FN_ID=bench",
      "FN_MEMORY=128",
      "FN_TYPE=sync",
    ],
    Labels: { [BENCH_LABEL]: "direct" },
    HostConfig: {
      Binds: [`${dir}:/tmp/iofs`],
      Init: true,
      Memory: 128 * 1024 * 1024,
      LogConfig: { Type: "none", Config: {} },
      CapDrop: ["all"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "" },
    },
  });
  const dispose = async () => {
    await container.remove({ force: true }).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const watcher = Deno.watchFs(dir);
    await container.start();
    await waitForSocket(dir, watcher, timeoutMs);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { socketPath: `${dir}/lsnr.sock`, id: container.id, [Symbol.asyncDispose]: dispose };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function waitForSocket(dir: string, watcher: Deno.FsWatcher, timeoutMs: number) {
  const timer = setTimeout(() => watcher.close(), timeoutMs);
  try {
    if (await exists(`${dir}/lsnr.sock`)) return;
    for await (const _ of watcher) {
      if (await exists(`${dir}/lsnr.sock`)) return;
    }
    throw new Error(`the function's socket did not appear within ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
    try {
      watcher.close();
    } catch {
      // closed by the timer
    }
  }
}

/** Removes containers a killed bench left behind. */
export async function removeBenchLeftovers(): Promise<void> {
  const list: Docker.ContainerInfo[] = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [BENCH_LABEL] }),
  });
  await Promise.all(
    list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})),
  );
}
