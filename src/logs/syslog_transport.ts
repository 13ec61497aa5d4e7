/**
 * One connection to a syslog receiver: TCP, TLS or a Unix stream socket (frames are
 * octet-counted by the caller) or UDP (one datagram per message).
 *
 * @module
 */

import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import type { SyslogTarget } from "./syslog_url.ts";

/** Sends whole frames; a failed write means the connection is gone. */
export interface SyslogTransport {
  /** Whether frames are octet-counted (stream) or sent as datagrams. */
  readonly stream: boolean;
  /** Writes all of `bytes` (a datagram is one message). */
  write(bytes: Uint8Array): Promise<void>;
  close(): void;
}

/** Options for {@linkcode connectSyslog}. */
export interface ConnectOptions {
  /** Give up connecting after this long. @default {5000} */
  readonly timeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for TLS, e.g. a private log server's. */
  readonly caCerts?: readonly string[];
}

/**
 * Connects to `target`.
 *
 * @throws {Error} when the receiver cannot be reached in time, or for `unixgram`, which
 *   this runtime cannot send to
 */
export async function connectSyslog(
  target: SyslogTarget,
  options: ConnectOptions = {},
): Promise<SyslogTransport> {
  if (target.transport === "udp") return udpTransport(target.hostname, target.port);
  if (target.transport === "unixgram") {
    throw new Error("unixgram syslog sockets are not supported; use unix, udp, tcp or tcp+tls");
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (target.transport === "unix") {
    return streamTransport(
      await withTimeout(Deno.connect({ transport: "unix", path: target.path }), timeoutMs),
    );
  }
  if (target.transport === "tls") {
    const tls = await withTimeout(
      Deno.connectTls({
        hostname: target.hostname,
        port: target.port,
        ...(options.caCerts ? { caCerts: [...options.caCerts] } : {}),
      }),
      timeoutMs,
    );
    // Certificate problems surface here rather than on the first log line.
    await withTimeout(tls.handshake(), timeoutMs).catch((err) => {
      tls.close();
      throw err;
    });
    return streamTransport(tls);
  }
  const conn = await withTimeout(
    Deno.connect({ hostname: target.hostname, port: target.port }),
    timeoutMs,
  );
  return streamTransport(conn);
}

async function withTimeout<T extends { close(): void } | unknown>(
  pending: Promise<T>,
  ms: number,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late = false;
  try {
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          late = true;
          reject(new Error(`no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    // A connection that arrives after the timeout is closed at once.
    if (late) {
      pending.then((c) => (c as { close?: () => void })?.close?.(), () => {});
    }
  }
}

function streamTransport(conn: Deno.Conn): SyslogTransport {
  let closed = false;
  return {
    stream: true,
    async write(bytes) {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed by the peer
      }
    },
  };
}

function udpTransport(hostname: string, port: number): SyslogTransport {
  const socket = dgram.createSocket(isIPv6(hostname) ? "udp6" : "udp4");
  // A send error is reported per send; nothing else should crash the process.
  socket.on("error", () => {});
  let closed = false;
  return {
    stream: false,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.send(bytes, port, hostname, (err) => (err ? reject(err) : resolve()));
      }),
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
