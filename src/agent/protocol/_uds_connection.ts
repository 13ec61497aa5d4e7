/**
 * One client connection to a function's Unix socket: whole writes, reads with
 * push-back, and a way to learn when anything arrives on an idle connection (the way
 * Go's transport watches its idle connections, so a closed one is never reused).
 *
 * It runs on `node:net` rather than `Deno.connect`: with Deno 2.9, awaiting writes on a
 * `Deno.UnixConn` while relaying a `Deno.serve` request body makes the body's reads
 * stall for milliseconds each (a 200 MiB upload took 20 s instead of 1 s); `node:net`
 * sockets relay the same body at full speed.
 *
 * @module
 */

import net from "node:net";
import type { ByteSource } from "./output_pipe.ts";
import type { ReceivedBytes } from "./_received_body.ts";
import { concatBytes } from "../../bytes.ts";

/** Bytes received and not yet read before the socket is paused (backpressure). */
const HIGH_WATER_BYTES = 256 * 1024;

const EMPTY = new Uint8Array(0);

/** A connection to `<iofs>/lsnr.sock`. */
export class UdsConnection implements ByteSource, ReceivedBytes {
  readonly #socket: net.Socket;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  #closed = false;
  readonly #waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (data: Uint8Array) => {
      this.#queue.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.#queued += data.byteLength;
      if (this.#queued > HIGH_WATER_BYTES) socket.pause();
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    // Always listened to: an unheard 'error' event would crash the process.
    socket.on("error", (err: Error) => {
      this.#error ??= err;
      this.#notify();
    });
  }

  /**
   * Dials `path`.
   *
   * @throws {Error} `ENOENT` / `ECONNREFUSED` when nobody listens
   */
  static open(path: string): Promise<UdsConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ path });
      const onError = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(new UdsConnection(socket));
      });
    });
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The next bytes (pushed-back ones first), or null when the peer closed.
   *
   * @throws when the socket failed or was closed locally
   */
  async read(): Promise<Uint8Array | null> {
    while (this.#queue.length === 0) {
      if (this.#closed) throw new Error("the connection was closed");
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const chunk = this.#queue.shift()!;
    this.#queued -= chunk.byteLength;
    this.#resumeBelowMark();
    return chunk;
  }

  /** How many bytes are received and not yet read. */
  receivedLength(): number {
    return this.#queued;
  }

  /** Everything received and not yet read, as one array (see `_received_body.ts`). */
  received(): Uint8Array {
    const queue = this.#queue;
    if (queue.length === 0) return EMPTY;
    if (queue.length > 1) queue.splice(0, queue.length, concatBytes(queue));
    return queue[0]!;
  }

  /** Consumes the first `count` bytes of {@linkcode received}. */
  consume(count: number): void {
    const all = this.received();
    this.#queue.length = 0;
    this.#queued = 0;
    this.unread(all.subarray(count));
    this.#resumeBelowMark();
  }

  /** Puts `bytes` back in front of the next read. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#queue.unshift(bytes);
    this.#queued += bytes.byteLength;
  }

  /** Resolves (never rejects) as soon as bytes, EOF or an error arrive, or on close. */
  readAhead(): Promise<void> {
    if (this.#readable()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Writes all of `bytes`; resolves once the socket took them (or buffered them below
   * its high-water mark).
   *
   * @throws when the socket fails (EPIPE once the function closed it) or was closed locally
   */
  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (this.#closed || socket.destroyed) {
      return Promise.reject(this.#error ?? new Error("the connection was closed"));
    }
    if (socket.write(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        socket.off("drain", onDrain);
        socket.off("close", onClose);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDrain = () => done();
      const onClose = () => done(this.#error ?? new Error("the connection closed"));
      socket.on("drain", onDrain);
      socket.on("close", onClose);
    });
  }

  /** Whether an open connection keeps the process alive (not while it sits idle). */
  keepsProcessAlive(yes: boolean): void {
    if (yes) this.#socket.ref();
    else this.#socket.unref();
  }

  /** Closes the socket; pending reads and writes fail. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#notify();
  }

  #resumeBelowMark(): void {
    if (this.#socket.isPaused() && this.#queued <= HIGH_WATER_BYTES / 2) this.#socket.resume();
  }

  #readable(): boolean {
    return this.#queue.length > 0 || this.#ended || this.#closed || this.#error !== undefined;
  }

  #notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
