/**
 * A function's stdout/stderr as log lines. Each complete line is logged at **debug**
 * (Fn's level for user output; `FN_DISABLE_DEBUG_USER_LOGS=true` turns it off) with
 * `user_log=true`, the stream name and the container's fields, plus `call_id` while a
 * call runs. Each call (and each idle period between calls) may log at most
 * `maxLogBytes`; past that one Fn-style truncation marker is logged and the rest dropped.
 *
 * @module
 */

import type { Logger } from "../../log.ts";
import type { FunctionLogSink } from "../../logs/function_log_sink.ts";

/** Which output stream a chunk came from. */
export type OutputStream = "stdout" | "stderr";

/** Options for {@linkcode FunctionLog}. */
export interface FunctionLogOptions {
  /** Per-call cap in bytes; 0 = nothing is logged. */
  readonly maxLogBytes: number;
  /** False when `FN_DISABLE_DEBUG_USER_LOGS=true`. */
  readonly enabled: boolean;
  /** Receives the lines instead of the server log (the app's syslog), even when disabled. */
  readonly sink?: FunctionLogSink;
}

/** Lines longer than this are logged in pieces, so one endless line cannot grow memory. */
const MAX_LINE_BYTES = 64 * 1024;

/** Fn's truncation marker (`agent.md` §1.11). */
export function truncationMarker(maxLogBytes: number): string {
  return `\n-----max log size ${maxLogBytes} bytes exceeded, truncating log-----\n`;
}

/** Turns output chunks into capped, per-call log lines. */
export class FunctionLog {
  readonly #logger: Logger;
  readonly #options: FunctionLogOptions;
  readonly #partial: Record<OutputStream, string> = { stdout: "", stderr: "" };
  readonly #decoders: Record<OutputStream, TextDecoder> = {
    stdout: new TextDecoder(),
    stderr: new TextDecoder(),
  };
  #callId: string | undefined;
  #bytes = 0;
  #truncated = false;

  constructor(logger: Logger, options: FunctionLogOptions) {
    this.#logger = logger;
    this.#options = options;
  }

  /** Attributes the following output to `callId` with a fresh cap. */
  beginCall(callId: string): void {
    this.flush();
    this.#callId = callId;
    this.#bytes = 0;
    this.#truncated = false;
  }

  /** Logs what is left of the call's lines; later output counts as between calls. */
  endCall(): void {
    this.flush();
    this.#callId = undefined;
    this.#bytes = 0;
    this.#truncated = false;
  }

  /** Adds a chunk of output. */
  write(stream: OutputStream, chunk: Uint8Array): void {
    let text = this.#partial[stream] + this.#decoders[stream].decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      this.#line(stream, text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length > MAX_LINE_BYTES) {
      this.#line(stream, text.slice(0, MAX_LINE_BYTES));
      text = text.slice(MAX_LINE_BYTES);
    }
    this.#partial[stream] = text;
  }

  /** Logs unterminated lines. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.#partial[stream];
      this.#partial[stream] = "";
      if (rest !== "") this.#line(stream, rest);
    }
  }

  #line(stream: OutputStream, line: string): void {
    const sink = this.#options.sink;
    if ((!this.#options.enabled && sink === undefined) || this.#truncated) return;
    const size = new TextEncoder().encode(line).length + 1;
    let text = line.replace(/\r$/, "");
    if (this.#bytes + size > this.#options.maxLogBytes) {
      this.#truncated = true;
      text = truncationMarker(this.#options.maxLogBytes).trim();
    } else {
      this.#bytes += size;
    }
    if (sink !== undefined) sink.line(text, stream, this.#callId);
    else this.#logger.debug(text, { "user_log": true, stream, "call_id": this.#callId });
  }
}
