/**
 * Builds the test function images from `tests/fixtures/*` with the project's own image
 * builder. Tags are `fnd-test/<name>:<hash>` where the hash covers the fixture's files,
 * the builder's source and the host runtime, so a second run finds every tag and builds
 * nothing. Images are kept on purpose (they are the cache); `docker rmi` them to rebuild.
 *
 * @module
 */

import Docker from "dockerode";
import { buildFunctionImage } from "../src/images/build_function_image.ts";

/** The fixtures that can be built. */
export const FIXTURES = [
  "hello",
  "echo",
  "slow",
  "crash",
  "big-output",
  "env-dump",
  "raw-http",
  "bb-default",
  "bb-http",
  "bb-json",
  "bb-misc",
  "logger",
] as const;

/** One fixture name. */
export type FixtureName = typeof FIXTURES[number];

const FIXTURE_DIR = new URL("./fixtures/", import.meta.url).pathname;
const BUILDER_FILES = [
  "../src/images/build_function_image.ts",
  "../src/images/build_context_image.ts",
  "../src/images/runtime_files.ts",
].map((p) => new URL(p, import.meta.url).pathname);

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "node_modules") continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await listFiles(path));
    else if (entry.isFile) out.push(path);
  }
  return out.sort();
}

async function hostRuntimeId(): Promise<string> {
  const node = await new Deno.Command("node", { args: ["--version"], stdout: "piped" }).output()
    .then((r) => new TextDecoder().decode(r.stdout).trim(), () => "no-node");
  const busybox = await Deno.stat("/bin/busybox").then((s) => String(s.size), () => "none");
  return `${node}/${busybox}`;
}

async function fixtureHash(name: FixtureName, runtimeId: string): Promise<string> {
  const parts: Uint8Array[] = [new TextEncoder().encode(runtimeId)];
  for (const file of [...await listFiles(FIXTURE_DIR + name), ...BUILDER_FILES]) {
    parts.push(new TextEncoder().encode(file.slice(file.lastIndexOf("/"))));
    parts.push(await Deno.readFile(file));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

let pending: Promise<Record<FixtureName, string>> | undefined;

/**
 * Makes sure every fixture image exists and returns fixture name → image tag. Builds
 * only what is missing; concurrent callers in one process share one run.
 */
export function ensureTestImages(): Promise<Record<FixtureName, string>> {
  pending ??= buildMissing().catch((err) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function buildMissing(): Promise<Record<FixtureName, string>> {
  const docker = new Docker();
  const runtimeId = await hostRuntimeId();
  const tags = {} as Record<FixtureName, string>;
  for (const name of FIXTURES) {
    const tag = `fnd-test/${name}:${await fixtureHash(name, runtimeId)}`;
    if (!(await imageExists(docker, tag))) {
      await buildFunctionImage(FIXTURE_DIR + name, tag, {
        docker,
        labels: { "fnd.test-fixture": name },
      });
    }
    tags[name] = tag;
  }
  return tags;
}
