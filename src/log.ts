/**
 * Structured logging: `text` (readable) or `json` lines on stderr, with fields such as
 * app_id, fn_id and call_id carried by child loggers.
 *
 * @module
 */

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];
/** `text` or `json`. */
export type LogFormat = "text" | "json";
/** Extra key/value pairs on a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where lines go; the default writes to stderr. */
export type LogSink = (line: string) => void;

const encoder = new TextEncoder();

function stderrSink(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

interface LoggerState {
  level: number;
  format: LogFormat;
  sink: LogSink;
}

/** A logger with fixed fields; `child()` adds more. */
export class Logger {
  readonly #state: LoggerState;
  readonly #fields: LogFields;

  constructor(state: LoggerState, fields: LogFields = {}) {
    this.#state = state;
    this.#fields = fields;
  }

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    return new Logger(this.#state, { ...this.#fields, ...fields });
  }

  /** Whether lines at `level` are written. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#state.level;
  }

  trace(msg: string, fields?: LogFields): void {
    this.#write("trace", msg, fields);
  }
  debug(msg: string, fields?: LogFields): void {
    this.#write("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#write("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#write("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#write("error", msg, fields);
  }

  #write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (!this.enabled(level)) return;
    const all: Record<string, unknown> = { ...this.#fields, ...fields };
    for (const [k, v] of Object.entries(all)) {
      if (v instanceof Error) all[k] = v.stack ?? v.message;
    }
    const time = new Date().toISOString();
    if (this.#state.format === "json") {
      this.#state.sink(JSON.stringify({ time, level, msg, ...all }));
      return;
    }
    const rest = Object.entries(all).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
    this.#state.sink(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${rest ? " " + rest : ""}`);
  }
}

function formatValue(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

const rootState: LoggerState = { level: 2, format: "text", sink: stderrSink };

/** The process-wide root logger. */
export const log: Logger = new Logger(rootState);

/** Sets the level, format and (for tests) the sink of every logger. */
export function configureLogging(
  options: { level?: LogLevel; format?: LogFormat; sink?: LogSink },
): void {
  if (options.level !== undefined) rootState.level = LOG_LEVELS.indexOf(options.level);
  if (options.format !== undefined) rootState.format = options.format;
  if (options.sink !== undefined) rootState.sink = options.sink;
}
