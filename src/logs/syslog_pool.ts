/**
 * Shares one {@linkcode SyslogWriter} per syslog URL between the containers that log
 * to it: the first lease connects (so an unreachable receiver fails that launch), the
 * last release flushes and closes.
 *
 * @module
 */

import { log as rootLog, type Logger } from "../log.ts";
import type { ConnectOptions } from "./syslog_transport.ts";
import { SyslogWriter } from "./syslog_writer.ts";

/** A hold on a shared writer; `release()` once. */
export interface SyslogLease {
  readonly writer: SyslogWriter;
  /** Gives the lease back; the writer closes when nobody holds it. Idempotent. */
  release(): Promise<void>;
}

interface Entry {
  readonly writer: Promise<SyslogWriter>;
  refs: number;
}

/** Options for {@linkcode SyslogPool}. */
export interface SyslogPoolOptions extends ConnectOptions {
  /** @default {the root logger} */
  readonly log?: Logger;
  /** Per-writer queue bound in bytes. @default {1048576} */
  readonly maxQueueBytes?: number;
}

/** Writers by URL. */
export class SyslogPool {
  readonly #o: SyslogPoolOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: SyslogPoolOptions = {}) {
    this.#o = options;
  }

  /**
   * A lease on the writer for `url`, connecting it first when nobody holds one.
   *
   * @throws {SyslogUrlError} for a bad URL; {@linkcode Error} when the receiver cannot be
   *   reached (the next acquire tries again)
   */
  async acquire(url: string): Promise<SyslogLease> {
    let entry = this.#entries.get(url);
    if (entry === undefined) {
      const opening = SyslogWriter.open(url, {
        ...this.#o,
        log: (this.#o.log ?? rootLog).child({ component: "syslog" }),
      });
      const created: Entry = { writer: opening, refs: 0 };
      entry = created;
      this.#entries.set(url, created);
      opening.catch(() => {
        if (this.#entries.get(url) === created) this.#entries.delete(url);
      });
    }
    entry.refs++;
    let writer: SyslogWriter;
    try {
      writer = await entry.writer;
    } catch (err) {
      entry.refs--;
      throw err;
    }
    let released = false;
    const held = entry;
    return {
      writer,
      release: async () => {
        if (released) return;
        released = true;
        if (--held.refs > 0) return;
        if (this.#entries.get(url) === held) this.#entries.delete(url);
        await writer.close();
      },
    };
  }

  /** How many URLs have a writer (for tests). */
  get size(): number {
    return this.#entries.size;
  }
}

/** The process-wide pool. */
export const syslogPool: SyslogPool = new SyslogPool();
