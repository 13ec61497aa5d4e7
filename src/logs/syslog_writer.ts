/**
 * Sends syslog messages to one receiver in the background, in order, without ever
 * blocking the caller: messages queue (bounded by bytes) while a single pump writes
 * them, batched, to the connection. A broken connection is reopened with backoff; the
 * queue keeps what arrives meanwhile, and what does not fit is counted as dropped.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { datagram, octetCountingFrame } from "./rfc5424.ts";
import { type ConnectOptions, connectSyslog, type SyslogTransport } from "./syslog_transport.ts";
import { parseSyslogUrl, type SyslogTarget } from "./syslog_url.ts";

/** Options for {@linkcode SyslogWriter.open}. */
export interface SyslogWriterOptions extends ConnectOptions {
  /** Most bytes waiting to be sent. @default {1048576} */
  readonly maxQueueBytes?: number;
  /** Where the writer reports its own trouble. */
  readonly log: Logger;
}

/** Stream frames are written in batches up to this size. */
const BATCH_BYTES = 64 * 1024;
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
/** How long `close()` waits for queued messages to go out. */
const CLOSE_FLUSH_MS = 2000;

/** A queue and a connection to one syslog receiver. */
export class SyslogWriter {
  readonly url: string;
  readonly #target: SyslogTarget;
  readonly #o: SyslogWriterOptions;
  #transport: SyslogTransport | undefined;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #pumping: Promise<void> | undefined;
  #dropped = 0;
  #sent = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(
    url: string,
    target: SyslogTarget,
    transport: SyslogTransport,
    o: SyslogWriterOptions,
  ) {
    this.url = url;
    this.#target = target;
    this.#transport = transport;
    this.#o = o;
  }

  /**
   * Parses `url` and connects, so that an unreachable receiver is reported at once.
   *
   * @throws {SyslogUrlError} for a bad URL
   * @throws {Error} when the receiver cannot be reached
   */
  static async open(url: string, options: SyslogWriterOptions): Promise<SyslogWriter> {
    const target = parseSyslogUrl(url);
    const transport = await connectSyslog(target, options);
    return new SyslogWriter(url, target, transport, options);
  }

  /** Messages dropped because the queue was full or the writer closed with them queued. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages written to the connection so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Queues one message; never blocks and never throws. */
  send(message: string): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const frame = this.#target.transport === "udp"
      ? datagram(message)
      : octetCountingFrame(message);
    if (this.#queuedBytes + frame.length > (this.#o.maxQueueBytes ?? 1024 * 1024)) {
      if (this.#dropped++ % 1000 === 0) {
        this.#o.log.warn("syslog queue full; dropping function log lines", {
          "syslog_url": this.url,
          dropped: this.#dropped,
        });
      }
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    this.#pumping ??= this.#pump().finally(() => (this.#pumping = undefined));
  }

  /** Resolves once everything queued so far was written (or dropped). */
  async flush(): Promise<void> {
    while (this.#pumping !== undefined) await this.#pumping;
  }

  /** Sends what is queued (for at most 2 s), then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS))),
    ]);
    clearTimeout(timer);
    this.#closed = true;
    this.#wake?.();
    await this.#pumping;
    this.#transport?.close();
    this.#transport = undefined;
  }

  async #pump(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (this.#queue.length > 0) {
      if (this.#closed) {
        this.#dropped += this.#queue.length;
        this.#queue.length = 0;
        this.#queuedBytes = 0;
        return;
      }
      const [batch, count] = this.#nextBatch();
      try {
        this.#transport ??= await connectSyslog(this.#target, this.#o);
        await this.#transport.write(batch);
      } catch (err) {
        this.#transport?.close();
        this.#transport = undefined;
        this.#o.log.warn("cannot send function logs to syslog; retrying", {
          "syslog_url": this.url,
          error: err instanceof Error ? err.message : String(err),
          "retry_ms": backoff,
        });
        await this.#pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      backoff = MIN_BACKOFF_MS;
      this.#queue.splice(0, count);
      this.#queuedBytes -= batch.length;
      this.#sent += count;
    }
  }

  /** The next frames to write: one datagram, or stream frames joined up to 64 KiB. */
  #nextBatch(): [Uint8Array, number] {
    const first = this.#queue[0]!;
    if (this.#target.transport === "udp" || this.#queue.length === 1) return [first, 1];
    let count = 0;
    let size = 0;
    while (
      count < this.#queue.length &&
      (count === 0 || size + this.#queue[count]!.length <= BATCH_BYTES)
    ) {
      size += this.#queue[count]!.length;
      count++;
    }
    const out = new Uint8Array(size);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      out.set(this.#queue[i]!, offset);
      offset += this.#queue[i]!.length;
    }
    return [out, count];
  }

  /** Waits `ms` before reconnecting, or less when the writer closes. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
