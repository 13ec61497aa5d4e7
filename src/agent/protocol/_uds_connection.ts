/**
 * One client connection to a function's Unix socket: whole writes, reads with
 * push-back, and a read started ahead of time so an idle connection notices when the
 * function closes it (the way Go's transport watches its idle connections).
 *
 * @module
 */

import type { ByteSource } from "./output_pipe.ts";

/** Bytes asked of the socket per read. */
const READ_BYTES = 64 * 1024;

/** A connection to `<iofs>/lsnr.sock`. */
export class UdsConnection implements ByteSource {
  readonly #conn: Deno.UnixConn;
  readonly #scratch = new Uint8Array(READ_BYTES);
  #pushedBack: Uint8Array | null = null;
  /** A read in flight that nobody has consumed yet. */
  #ahead: Promise<Uint8Array | null> | undefined;
  #closed = false;

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
  }

  /**
   * Dials `path`.
   *
   * @throws {Deno.errors.NotFound | Deno.errors.ConnectionRefused} when nobody listens
   */
  static async open(path: string): Promise<UdsConnection> {
    return new UdsConnection(await Deno.connect({ transport: "unix", path }));
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The next bytes (pushed-back ones first), or null when the peer closed. Each result
   * is a fresh copy the caller may keep.
   *
   * @throws when the socket fails or was closed locally
   */
  read(): Promise<Uint8Array | null> {
    const back = this.#pushedBack;
    if (back !== null) {
      this.#pushedBack = null;
      return Promise.resolve(back);
    }
    const ahead = this.#ahead;
    if (ahead !== undefined) {
      this.#ahead = undefined;
      return ahead;
    }
    return this.#readSocket();
  }

  /** Puts `bytes` back in front of the next read. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#pushedBack === null) {
      this.#pushedBack = bytes;
      return;
    }
    const joined = new Uint8Array(bytes.length + this.#pushedBack.length);
    joined.set(bytes);
    joined.set(this.#pushedBack, bytes.length);
    this.#pushedBack = joined;
  }

  /**
   * Starts a read now without consuming it: the next {@linkcode read} returns its
   * result. Resolves (never rejects) when bytes, EOF or an error arrived.
   */
  readAhead(): Promise<void> {
    if (this.#pushedBack !== null) return Promise.resolve();
    this.#ahead ??= this.#readSocket();
    return this.#ahead.then(() => {}, () => {});
  }

  /**
   * Writes all of `bytes`.
   *
   * @throws when the socket fails (EPIPE once the function closed it) or was closed locally
   */
  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /** Closes the socket; pending reads and writes fail. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed by the runtime
    }
  }

  async #readSocket(): Promise<Uint8Array | null> {
    const n = await this.#conn.read(this.#scratch);
    return n === null ? null : this.#scratch.slice(0, n);
  }
}
