/**
 * Where a function container's output lines go when its app has a `syslog_url`: each
 * line (already capped per call by `FN_MAX_LOG_SIZE_BYTES`) becomes one RFC 5424
 * message, `info` for stdout and `err` for stderr, carrying the app, fn and call ids as
 * structured data. Without a syslog URL the lines stay on the server log.
 *
 * @module
 */

import { hostname } from "node:os";
import type { Logger } from "../log.ts";
import { APIError } from "../models/api_error.ts";
import { formatSyslogMessage, SEVERITY } from "./rfc5424.ts";
import { type SyslogLease, type SyslogPool, syslogPool } from "./syslog_pool.ts";

/** Receives a container's output, one line at a time. */
export interface FunctionLogSink {
  /**
   * One line without its newline (or Fn's truncation marker); `callId` is undefined for
   * output between calls.
   */
  line(text: string, stream: "stdout" | "stderr", callId: string | undefined): void;
}

/** What a sink needs to know about the container. */
export interface SinkSpec {
  readonly appId: string;
  readonly appName: string;
  readonly fnId: string;
  readonly fnName: string;
  readonly syslogUrl?: string;
}

/** Fn's client-visible answer when the app's log receiver cannot be reached. */
export function syslogUnavailable(cause: unknown): APIError {
  return new APIError(500, "Syslog Unavailable", { blame: "user", cause });
}

const host = hostname();

/** Sends lines to a syslog receiver through a pooled writer. */
export class SyslogSink implements FunctionLogSink, AsyncDisposable {
  readonly #lease: SyslogLease;
  readonly #spec: SinkSpec;

  constructor(lease: SyslogLease, spec: SinkSpec) {
    this.#lease = lease;
    this.#spec = spec;
  }

  line(text: string, stream: "stdout" | "stderr", callId: string | undefined): void {
    const s = this.#spec;
    const params: [string, string][] = [
      ["app_id", s.appId],
      ["app_name", s.appName],
      ["fn_id", s.fnId],
      ["fn_name", s.fnName],
    ];
    if (callId !== undefined) params.push(["call_id", callId]);
    this.#lease.writer.send(formatSyslogMessage({
      severity: stream === "stderr" ? SEVERITY.err : SEVERITY.info,
      timestamp: new Date(),
      hostname: host,
      appName: s.appName,
      msgId: stream,
      params,
      text,
    }));
  }

  /** Lets go of the shared writer (the last one flushes and closes it). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#lease.release();
  }
}

/**
 * The syslog sink for a container of `spec`, or undefined when its app has no syslog
 * URL or one this runtime cannot send to (`unixgram`; a warning says so and the lines
 * stay on the server log).
 *
 * @throws {APIError} 500 `Syslog Unavailable` (blamed on the user) when the receiver
 *   cannot be reached, as Fn answers when Docker's syslog driver cannot start
 */
export async function openSyslogSink(
  spec: SinkSpec,
  log: Logger,
  pool: SyslogPool = syslogPool,
): Promise<SyslogSink | undefined> {
  const url = spec.syslogUrl?.trim() ?? "";
  if (url === "") return undefined;
  if (url.startsWith("unixgram:")) {
    log.warn("unixgram syslog URLs are not supported; function logs stay on the server log", {
      "syslog_url": url,
    });
    return undefined;
  }
  try {
    return new SyslogSink(await pool.acquire(url), spec);
  } catch (err) {
    log.warn("cannot reach the app's syslog receiver", {
      "syslog_url": url,
      error: err instanceof Error ? err.message : String(err),
    });
    throw syslogUnavailable(err);
  }
}
