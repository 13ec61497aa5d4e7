/**
 * Readiness of an http-stream container (`agent.md` §1.3): watch the IOFS dir *before*
 * the container exists, check once right after the watch is set, and re-check
 * `lsnr.sock` on every event (Deno reports create and rename as different kinds).
 * The file must be a socket, or a symlink with a bare relative target to one.
 *
 * @module
 */

import { SOCKET_NAME } from "./iofs.ts";

/** Why a socket file was rejected (Fn's log messages). */
export class InvalidSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidSocketError";
  }
}

/**
 * Checks `<dir>/lsnr.sock`.
 *
 * @returns true when it is a usable socket, false when it does not exist yet
 * @throws {InvalidSocketError} when it exists but is not acceptable
 */
export async function checkSocket(dir: string): Promise<boolean> {
  const path = `${dir}/${SOCKET_NAME}`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new InvalidSocketError(`error statting unix socket link file ${path}`);
  }
  if (info.isSymlink) {
    let target: string;
    try {
      target = await Deno.readLink(path);
    } catch {
      throw new InvalidSocketError(`error reading unix socket symlink destination ${path}`);
    }
    const bare = target.replace(/^\.\//, "");
    if (target.startsWith("/") || bare.includes("/") || bare === "" || bare === "..") {
      throw new InvalidSocketError(
        "invalid unix socket symlink, symlinks must be relative within the unix socket directory",
      );
    }
  }
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false; // dangling link: target not there yet
    throw new InvalidSocketError(`unable to stat unix socket file ${path}`);
  }
  if (!info.isSocket) throw new InvalidSocketError("listener file is not a socket");
  return true;
}

/** A watch on one IOFS dir; `ready` settles when the socket is usable or rejected. */
export class SocketWatch implements Disposable {
  readonly #dir: string;
  readonly #watcher: Deno.FsWatcher;
  /** Resolves once `lsnr.sock` is a usable socket; rejects with {@linkcode InvalidSocketError}. */
  readonly ready: Promise<void>;
  #closed = false;

  /**
   * Starts watching `dir` (which must exist).
   *
   * @throws {Error} when the watch cannot be set (`error adding iofs dir to fswatcher`)
   */
  constructor(dir: string) {
    this.#dir = dir;
    try {
      this.#watcher = Deno.watchFs(dir, { recursive: false });
    } catch (err) {
      throw new Error(`error adding iofs dir to fswatcher: ${err}`, { cause: err });
    }
    this.ready = this.#run();
    this.ready.catch(() => {}); // observed by whoever awaits it; never unhandled
  }

  async #run(): Promise<void> {
    try {
      if (await checkSocket(this.#dir)) return;
      for await (const _event of this.#watcher) {
        if (await checkSocket(this.#dir)) return;
      }
      if (!this.#closed) throw new Error("the iofs watcher stopped unexpectedly");
      throw new Error("socket watch closed before the socket appeared");
    } finally {
      this.close();
    }
  }

  /** Stops watching. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#watcher.close();
    } catch {
      // already closed
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
