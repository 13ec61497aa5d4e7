/**
 * Builds a Docker image from a prepared build-context directory (a `Dockerfile` plus the
 * files it copies) with the engine's classic builder, so no registry or BuildKit plugin
 * is needed. The context is streamed to the engine as a tar produced by the host's `tar`.
 *
 * @module
 */

import type Docker from "dockerode";
import { Readable } from "node:stream";

/** One line of the engine's build progress. */
interface BuildEvent {
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
  readonly aux?: { readonly ID?: string };
}

/**
 * Builds `contextDir` (which must hold a `Dockerfile`) and tags the result `tag`.
 *
 * @returns the new image id (`sha256:...`)
 * @throws {Error} when `tar` fails or the engine rejects the build; the message carries
 *   the builder's last output so the user can see which step failed
 */
export async function buildContextImage(
  docker: Docker,
  contextDir: string,
  tag: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<string> {
  const tar = new Deno.Command("tar", {
    args: ["-C", contextDir, "-c", "."],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tarErr = new Response(tar.stderr).text();
  const source = Readable.fromWeb(
    tar.stdout as unknown as import("node:stream/web").ReadableStream,
  );
  let events: BuildEvent[] = [];
  let buildError: unknown;
  try {
    const stream = await docker.buildImage(source as unknown as NodeJS.ReadableStream, {
      t: tag,
      labels: JSON.stringify(labels),
      rm: true,
      forcerm: true,
    } as Docker.ImageBuildOptions);
    events = await followProgress(docker, stream);
  } catch (err) {
    buildError = err;
    killQuietly(tar);
  } finally {
    source.destroy();
  }
  const status = await tar.status;
  const stderr = await tarErr;
  if (buildError !== undefined) throw buildError;
  if (!status.success) {
    throw new Error(`cannot pack the build context ${contextDir}: ${stderr.trim()}`);
  }
  const failed = events.find((e) => e.error !== undefined);
  if (failed) {
    throw new Error(
      `docker build of ${tag} failed: ${failed.errorDetail?.message ?? failed.error}\n` +
        tail(events),
    );
  }
  const id = events.find((e) => e.aux?.ID)?.aux?.ID;
  if (id !== undefined) return id;
  const inspected = await docker.getImage(tag).inspect();
  return inspected.Id;
}

function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<BuildEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: BuildEvent[]) => err ? reject(err) : resolve(out),
    );
  });
}

function tail(events: readonly BuildEvent[]): string {
  return events.map((e) => e.stream ?? "").join("").trim().split("\n").slice(-10).join("\n");
}

function killQuietly(child: Deno.ChildProcess): void {
  try {
    child.kill();
  } catch {
    // already exited
  }
}
