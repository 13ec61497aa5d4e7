/**
 * The connection model of Fn's per-container HTTP client (`agent.md` §1.9): at most one
 * idle keep-alive connection to the function's socket, closed after 1 s idle or as soon
 * as the function closes it (or sends anything) while idle.
 *
 * @module
 */

import { UdsConnection } from "./_uds_connection.ts";

/** Fn's fixed idle timeout of a kept-alive function connection. */
export const UDS_IDLE_TIMEOUT_MS = 1000;

/** One container's connections. */
export class UdsPool {
  readonly #path: string;
  readonly #idleMs: number;
  #idle: UdsConnection | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every change of `#idle`, so a stale watcher cannot drop a newer one. */
  #generation = 0;
  #closed = false;

  constructor(path: string, idleMs: number = UDS_IDLE_TIMEOUT_MS) {
    this.#path = path;
    this.#idleMs = idleMs;
  }

  /**
   * The idle connection, or a new one.
   *
   * @throws {Error} after {@linkcode close}; the dial error when nobody listens
   */
  async acquire(): Promise<UdsConnection> {
    if (this.#closed) throw new Error("the container's connections are closed");
    const idle = this.#takeIdle();
    if (idle !== undefined) {
      idle.keepsProcessAlive(true);
      return idle;
    }
    const conn = await UdsConnection.open(this.#path);
    if (this.#closed) {
      conn.close();
      throw new Error("the container's connections are closed");
    }
    return conn;
  }

  /** Keeps `conn` (fully read, request fully sent) for the next call. */
  release(conn: UdsConnection): void {
    if (this.#closed || conn.closed) return conn.close();
    this.#takeIdle()?.close();
    const generation = ++this.#generation;
    this.#idle = conn;
    conn.keepsProcessAlive(false);
    const timer = setTimeout(() => this.#drop(generation), this.#idleMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
    // Anything arriving on an idle connection (EOF above all) makes it unusable.
    conn.readAhead().then(() => this.#drop(generation));
  }

  /** Closes the idle connection; later `acquire` calls fail. */
  close(): void {
    this.#closed = true;
    this.#takeIdle()?.close();
  }

  #takeIdle(): UdsConnection | undefined {
    const idle = this.#idle;
    if (idle === undefined) return undefined;
    this.#idle = undefined;
    this.#generation++;
    clearTimeout(this.#timer);
    return idle;
  }

  #drop(generation: number): void {
    if (generation === this.#generation) this.#takeIdle()?.close();
  }
}
