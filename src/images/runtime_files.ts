/**
 * The host files a `FROM scratch` function image needs to run its runtime: the host's
 * `node` binary with the shared libraries and dynamic loader `ldd` lists, or a static
 * busybox with one symlink per applet.
 *
 * @module
 */

/** A host file to copy into the image (`dest` is absolute inside the image). */
export interface RuntimeFile {
  readonly src: string;
  readonly dest: string;
}

/** A symlink to create inside the image. */
export interface RuntimeLink {
  readonly target: string;
  readonly dest: string;
}

/** What a runtime adds to an image. */
export interface RuntimeFiles {
  readonly files: readonly RuntimeFile[];
  readonly links: readonly RuntimeLink[];
}

/**
 * Parses `ldd` output into the absolute paths of the libraries and loader it lists
 * (the vDSO, which has no file, is skipped).
 */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split("\n")) {
    const arrow = line.match(/=>\s+(\/\S+)\s+\(0x/);
    const bare = line.match(/^\s*(\/\S+)\s+\(0x/);
    const path = arrow?.[1] ?? bare?.[1];
    if (path !== undefined && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const res = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const out = new TextDecoder().decode(res.stdout) + new TextDecoder().decode(res.stderr);
    return { ok: res.success, out };
  } catch (err) {
    throw new Error(`cannot run ${cmd}: ${err instanceof Error ? err.message : err}`);
  }
}

/** Finds `name` on PATH. */
export async function which(name: string): Promise<string> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    const path = `${dir}/${name}`;
    try {
      const info = await Deno.stat(path);
      if (info.isFile) return await Deno.realPath(path);
    } catch {
      // not in this dir
    }
  }
  throw new Error(`cannot find ${name} on PATH: install it or pass its path explicitly`);
}

/**
 * The host's node binary as `/node` plus every library `ldd` lists, at their own paths.
 *
 * @throws {Error} when node or ldd cannot be found or run
 */
export async function nodeRuntimeFiles(nodePath?: string): Promise<RuntimeFiles> {
  const node = await Deno.realPath(nodePath ?? await which("node"));
  const ldd = await run("ldd", [node]);
  const libs = ldd.ok ? parseLdd(ldd.out) : [];
  const files: RuntimeFile[] = [{ src: node, dest: "/node" }];
  for (const lib of libs) files.push({ src: lib, dest: lib });
  return { files, links: [] };
}

/**
 * A static busybox as `/bin/busybox` and a `/bin/<applet>` symlink for each applet.
 *
 * @throws {Error} when the binary is dynamically linked (it would not run from scratch)
 */
export async function busyboxRuntimeFiles(busyboxPath = "/bin/busybox"): Promise<RuntimeFiles> {
  const ldd = await run("ldd", [busyboxPath]);
  if (ldd.ok && parseLdd(ldd.out).length > 0) {
    throw new Error(
      `${busyboxPath} is dynamically linked; install busybox-static (apt-get install busybox-static)`,
    );
  }
  const list = await run(busyboxPath, ["--list"]);
  if (!list.ok) throw new Error(`${busyboxPath} --list failed: ${list.out.trim()}`);
  const links = list.out.split("\n").map((s) => s.trim())
    .filter((s) => s !== "" && s !== "busybox" && /^[\w.\-\[]+$/.test(s))
    .map((applet) => ({ target: "busybox", dest: `/bin/${applet}` }));
  return { files: [{ src: busyboxPath, dest: "/bin/busybox" }], links };
}
