/**
 * Builds a function image `FROM scratch` from a function directory, with no registry and
 * no base image: the runtime comes from the host.
 *
 * Function directory layout:
 *
 * ```
 * my-fn/
 *   func.js        node function (entry point), run as `/node /function/func.js`
 *   package.json   its dependencies, e.g. {"dependencies": {"@fnproject/fdk": "0.0.76"}};
 *                  `npm install` runs in a temporary copy when node_modules/ is missing
 *   node_modules/  optional, copied as it is
 * ```
 *
 * or, for a shell function, `func.sh` (run as `/bin/sh /function/func.sh` by a static
 * busybox with every applet on PATH). Everything in the directory lands in `/function`,
 * which is also the working directory.
 *
 * @module
 */

import Docker from "dockerode";
import { buildContextImage } from "./build_context_image.ts";
import { busyboxRuntimeFiles, nodeRuntimeFiles, type RuntimeFiles } from "./runtime_files.ts";

/** Which runtime a function directory needs. */
export type FunctionRuntime = "node" | "shell";

/** Options for {@linkcode buildFunctionImage}. */
export interface BuildFunctionImageOptions {
  /** @default {new Docker()} (DOCKER_HOST or /var/run/docker.sock) */
  readonly docker?: Docker;
  /** @default {the `node` on PATH} */
  readonly nodePath?: string;
  /** @default {"/bin/busybox"} */
  readonly busyboxPath?: string;
  /** Extra image labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The result of a build. */
export interface BuiltImage {
  readonly tag: string;
  readonly id: string;
  readonly runtime: FunctionRuntime;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tells the runtime from the entry file: `func.js` → node, `func.sh` → shell.
 *
 * @throws {Error} when the directory has neither
 */
export async function detectRuntime(fnDir: string): Promise<FunctionRuntime> {
  if (await exists(`${fnDir}/func.js`)) return "node";
  if (await exists(`${fnDir}/func.sh`)) return "shell";
  throw new Error(
    `${fnDir} has neither func.js (node) nor func.sh (shell): add one of them as the entry point`,
  );
}

/** Copies a directory tree; symlinks are recreated as symlinks. */
async function copyTree(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const entry of Deno.readDir(src)) {
    const from = `${src}/${entry.name}`;
    const to = `${dest}/${entry.name}`;
    if (entry.isSymlink) await Deno.symlink(await Deno.readLink(from), to);
    else if (entry.isDirectory) await copyTree(from, to);
    else await Deno.copyFile(from, to);
  }
}

async function npmInstall(dir: string): Promise<void> {
  const res = await new Deno.Command("npm", {
    args: ["install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!res.success) {
    throw new Error(
      `npm install failed in a copy of the function dir: ${new TextDecoder().decode(res.stderr)}`,
    );
  }
}

async function addRuntime(rootfs: string, runtime: RuntimeFiles): Promise<void> {
  for (const file of runtime.files) {
    const dest = rootfs + file.dest;
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(file.src, dest);
    await Deno.chmod(dest, 0o755);
  }
  for (const link of runtime.links) {
    const dest = rootfs + link.dest;
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    if (!(await exists(dest))) await Deno.symlink(link.target, dest);
  }
}

function dockerfile(runtime: FunctionRuntime): string {
  const entry = runtime === "node"
    ? `["/node", "/function/func.js"]`
    : `["/bin/sh", "/function/func.sh"]`;
  return [
    "FROM scratch",
    "COPY rootfs/ /",
    "ENV PATH=/bin",
    "WORKDIR /function",
    `ENTRYPOINT ${entry}`,
    "",
  ].join("\n");
}

/** Makes every file readable by the unprivileged user (1000:1000) functions run as. */
async function makeReadable(dir: string): Promise<void> {
  const res = await new Deno.Command("chmod", { args: ["-R", "a+rX", dir] }).output();
  if (!res.success) throw new Error(`chmod -R a+rX ${dir} failed`);
}

/**
 * Builds `fnDir` into the image `tag` (`FROM scratch` + host runtime + the function).
 *
 * @throws {Error} when the directory has no entry point, `npm install` fails, the runtime
 *   is missing on the host, or Docker rejects the build
 */
export async function buildFunctionImage(
  fnDir: string,
  tag: string,
  options: BuildFunctionImageOptions = {},
): Promise<BuiltImage> {
  const runtime = await detectRuntime(fnDir);
  const docker = options.docker ?? new Docker();
  const context = await Deno.makeTempDir({ prefix: "fnd-build-" });
  try {
    const rootfs = `${context}/rootfs`;
    const fnCopy = `${rootfs}/function`;
    await copyTree(fnDir, fnCopy);
    if (runtime === "node") {
      const needsInstall = await exists(`${fnCopy}/package.json`) &&
        !(await exists(`${fnCopy}/node_modules`));
      if (needsInstall) await npmInstall(fnCopy);
      await addRuntime(rootfs, await nodeRuntimeFiles(options.nodePath));
    } else {
      await addRuntime(rootfs, await busyboxRuntimeFiles(options.busyboxPath));
    }
    await Deno.writeTextFile(`${context}/Dockerfile`, dockerfile(runtime));
    await makeReadable(context);
    const id = await buildContextImage(docker, context, tag, options.labels);
    return { tag, id, runtime };
  } finally {
    await Deno.remove(context, { recursive: true }).catch(() => {});
  }
}
