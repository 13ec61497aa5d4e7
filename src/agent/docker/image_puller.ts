/**
 * Makes sure a function's image is present: inspect, else pull with the pull timeout,
 * merging concurrent pulls of one image, then check it declares no VOLUME
 * (`agent.md` §2.2). Errors are Fn's exact client-visible ones.
 *
 * @module
 */

import type Docker from "dockerode";
import { imageMetrics } from "../../metrics/image_metrics.ts";
import { APIError, serverTooBusy } from "../../models/api_error.ts";
import { parseImageRef } from "./image_ref.ts";
import type { RegistryAuth } from "./registry_auth.ts";

/** Options for {@linkcode ImagePuller}. */
export interface ImagePullerOptions {
  readonly pullTimeoutMs: number;
  /** Allow images that declare VOLUMEs (`FN_IMAGE_ENABLE_VOLUME`). */
  readonly enableVolume: boolean;
  readonly auth: RegistryAuth;
}

/** What {@linkcode ImagePuller.ensure} did. */
export interface EnsureResult {
  /** Time spent pulling (0 when the image was present). */
  readonly pullMs: number;
}

interface DockerError {
  readonly statusCode?: number;
  readonly json?: { readonly message?: string } | null;
  readonly message?: string;
}

/** The engine's own message from a dockerode error (its JSON `message`, else the raw body). */
export function dockerMessage(err: unknown): string {
  const e = err as DockerError;
  if (e?.json?.message) return e.json.message;
  const text = e?.message ?? String(err);
  const m = text.match(/^\(HTTP code \d+\) [^-]*- ([\s\S]*?) ?$/);
  return m?.[1] ?? text;
}

function isNoSuchImage(err: unknown): boolean {
  return (err as DockerError)?.statusCode === 404;
}

/** The 4xx/502 `Failed to pull image '<image>': <msg>` error. */
export function pullFailed(image: string, message: string, status?: number): APIError {
  const code = status !== undefined && status >= 400 && status < 500 ? status : 502;
  return new APIError(code, `Failed to pull image '${image}': ${message}`, { blame: "user" });
}

/** Inspects and pulls images. */
export class ImagePuller {
  readonly #docker: Docker;
  readonly #options: ImagePullerOptions;
  readonly #pulls = new Map<string, Promise<void>>();

  constructor(docker: Docker, options: ImagePullerOptions) {
    this.#docker = docker;
    this.#options = options;
  }

  /**
   * Makes sure `image` is present and usable.
   *
   * @throws {APIError} `Failed to pull image ...` (4xx/502), `Image pull timed out` (504),
   *   `Timed out - server too busy` (503, gone after the pull), `image has Volume
   *   definition` (400); other engine errors are rethrown as they are
   */
  async ensure(image: string, signal: AbortSignal): Promise<EnsureResult> {
    let inspected = await this.#inspect(image);
    let pullMs = 0;
    if (inspected === undefined) {
      const started = performance.now();
      await abortable(this.#pullMerged(image), signal);
      pullMs = performance.now() - started;
      inspected = await this.#inspect(image);
      if (inspected === undefined) throw serverTooBusy(`image ${image} missing after the pull`);
    }
    const volumes = inspected.Config?.Volumes ?? {};
    if (!this.#options.enableVolume && Object.keys(volumes).length > 0) {
      throw new APIError(400, "image has Volume definition");
    }
    return { pullMs };
  }

  async #inspect(image: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.#docker.getImage(image).inspect();
    } catch (err) {
      if (isNoSuchImage(err)) return undefined;
      throw err;
    }
  }

  #pullMerged(image: string): Promise<void> {
    const credentials = this.#options.auth.forImage(parseImageRef(image));
    const key = `${image}\0${JSON.stringify(credentials ?? null)}`;
    let pull = this.#pulls.get(key);
    if (pull === undefined) {
      pull = imageMetrics().track(this.#pull(image, credentials))
        .finally(() => this.#pulls.delete(key));
      this.#pulls.set(key, pull);
    }
    return pull;
  }

  async #pull(image: string, credentials: unknown): Promise<void> {
    const timeout = AbortSignal.timeout(this.#options.pullTimeoutMs);
    try {
      const stream = await this.#docker.pull(image, {
        abortSignal: timeout,
        ...(credentials ? { authconfig: credentials } : {}),
      });
      const failure = await firstProgressError(stream, timeout);
      if (failure !== undefined) throw pullFailed(image, failure);
    } catch (err) {
      if (err instanceof APIError) throw err;
      if (timeout.aborted) throw new APIError(504, "Image pull timed out", { blame: "user" });
      throw pullFailed(image, dockerMessage(err), (err as DockerError)?.statusCode);
    }
  }
}

/** Reads a pull's JSON progress lines; returns the first `error`, or undefined at the end. */
function firstProgressError(
  stream: NodeJS.ReadableStream,
  signal: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let error: string | undefined;
    const onAbort = () => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (chunk: Uint8Array | string) => {
      buf += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === "" || error !== undefined) continue;
        try {
          const event = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
          if (event.error !== undefined) error = event.errorDetail?.message ?? event.error;
        } catch {
          // not a progress line: ignore it
        }
      }
    });
    const done = () => {
      signal.removeEventListener("abort", onAbort);
      resolve(error);
    };
    stream.on("end", done);
    stream.on("close", done);
    stream.on("error", (err: unknown) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    });
  });
}

/** Rejects with the signal's reason when it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
