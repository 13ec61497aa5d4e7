/**
 * The per-container socket directory ("IOFS", `agent.md` §1.2): a fresh temp dir the
 * function creates `lsnr.sock` in, bind-mounted at `/tmp/iofs`.
 *
 * @module
 */

import { relative } from "node:path";

/** The socket file name inside the IOFS dir. */
export const SOCKET_NAME = "lsnr.sock";

/** Options for {@linkcode createIofs}. */
export interface IofsOptions {
  /** Parent dir as fnd sees it ("" = the OS temp dir). */
  readonly iofsPath: string;
  /** The same parent as the Docker engine sees it ("" = same as fnd's). */
  readonly iofsDockerPath: string;
  /** chmod 0777 so uid 1000 can create the socket (off when containers run as root). */
  readonly chmod: boolean;
}

/** One container's socket dir. */
export interface Iofs extends AsyncDisposable {
  /** The dir as fnd sees it. */
  readonly agentDir: string;
  /** The dir as the Docker engine sees it (for the bind). */
  readonly dockerDir: string;
  /** `<agentDir>/lsnr.sock`. */
  readonly socketPath: string;
  /** Removes the dir recursively. Idempotent. */
  remove(): Promise<void>;
}

/**
 * Creates the dir (`mkdtemp(<parent>/iofsNNNN)` semantics) and maps it to the engine's view.
 *
 * @throws {Error} Fn's `cannot create tmpdir for iofs: …`, `cannot change iofs mod: …`,
 *   `cannot relativise iofs path: …`
 */
export async function createIofs(options: IofsOptions): Promise<Iofs> {
  let agentDir: string;
  try {
    agentDir = await Deno.makeTempDir({
      dir: options.iofsPath === "" ? undefined : options.iofsPath,
      prefix: "iofs",
    });
  } catch (err) {
    throw new Error(`cannot create tmpdir for iofs: ${message(err)}; check FN_IOFS_PATH`, {
      cause: err,
    });
  }
  let removed: Promise<void> | undefined;
  const remove = () => removed ??= Deno.remove(agentDir, { recursive: true }).catch(() => {});
  try {
    if (options.chmod) await chmod(agentDir);
    const dockerDir = dockerView(agentDir, options);
    return {
      agentDir,
      dockerDir,
      socketPath: `${agentDir}/${SOCKET_NAME}`,
      remove,
      [Symbol.asyncDispose]: remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

async function chmod(dir: string): Promise<void> {
  try {
    await Deno.chmod(dir, 0o777);
  } catch (err) {
    throw new Error(`cannot change iofs mod: ${message(err)}`, { cause: err });
  }
}

function dockerView(agentDir: string, options: IofsOptions): string {
  if (options.iofsDockerPath === "") return agentDir;
  if (options.iofsPath === "") {
    throw new Error(
      "cannot relativise iofs path: FN_IOFS_DOCKER_PATH is set but FN_IOFS_PATH is not; set both",
    );
  }
  const rel = relative(options.iofsPath, agentDir);
  if (rel.startsWith("..")) {
    throw new Error(`cannot relativise iofs path: ${agentDir} is outside ${options.iofsPath}`);
  }
  return `${options.iofsDockerPath.replace(/\/+$/, "")}/${rel}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
