/**
 * `docker load` of a `docker save` tarball (`FN_DOCKER_LOAD_FILE`), so images can be
 * seeded without a registry.
 *
 * @module
 */

import type Docker from "dockerode";
import { createReadStream } from "node:fs";

/**
 * Loads every image in `file`.
 *
 * @returns the engine's progress lines (e.g. `Loaded image: name:tag`)
 * @throws {Error} `cannot load docker images in <file>: …`
 */
export async function loadImages(docker: Docker, file: string): Promise<string[]> {
  try {
    await Deno.stat(file);
    const stream = await docker.loadImage(
      createReadStream(file) as unknown as NodeJS.ReadableStream,
    );
    const events = await new Promise<{ stream?: string; error?: string }[]>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, out: { stream?: string; error?: string }[]) =>
          err ? reject(err) : resolve(out),
      );
    });
    const failed = events.find((e) => e.error !== undefined);
    if (failed) throw new Error(failed.error);
    return events.map((e) => (e.stream ?? "").trim()).filter((s) => s !== "");
  } catch (err) {
    throw new Error(
      `cannot load docker images in ${file}: ${err instanceof Error ? err.message : err}; ` +
        "check FN_DOCKER_LOAD_FILE points at a `docker save` tarball",
      { cause: err },
    );
  }
}
