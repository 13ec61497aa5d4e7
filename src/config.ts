/**
 * fnd's configuration, parsed once from FN_* environment variables (Fn's names) into a
 * typed readonly object. Every bad variable is reported at once by {@linkcode ConfigError}.
 *
 * Each area owns its own section parser (`readXxxConfig(reader)` beside its code); this
 * module only composes them.
 *
 * @module
 */

import { EnvReader } from "./_env.ts";
import { type AgentConfig, readAgentConfig } from "./agent/agent_config.ts";
import { type DbLocation, parseDbUrl, redactDbUrl } from "./datastore/db_url.ts";
import { type LbConfig, readLbConfig } from "./lb/lb_config.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "./log.ts";
import { readRunnerConfig, type RunnerConfig } from "./runner/runner_config.ts";

/** The four roles one fnd binary can play. */
export const NODE_TYPES = ["full", "api", "lb", "pure-runner"] as const;
/** One of {@linkcode NODE_TYPES}. */
export type NodeType = typeof NODE_TYPES[number];

/** Settings of the HTTP server and the process. */
export interface ServerConfig {
  readonly nodeType: NodeType;
  readonly port: number;
  /** Datastore URL as given, e.g. `sqlite3:///data/fnd.db`; undefined on nodes without one. */
  readonly dbUrl: string | undefined;
  readonly db: DbLocation | undefined;
  /**
   * `FN_DS_DB_PING_MAX_RETRIES`: attempts to reach the database server at startup, 1 s
   * apart (PostgreSQL, MySQL; SQLite opens once), for `openDatastore`'s
   * `connectAttempts`. Fn's 0 skips its ping and fails at the first query, which is one
   * attempt here. Always set by {@linkcode loadConfig}. @default {10}
   */
  readonly dbConnectAttempts?: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Request bodies larger than this get 413; 0 = unlimited. */
  readonly maxRequestBytes: number;
  /** Base URL for the invoke/trigger endpoint annotations; "" = derive from Host. */
  readonly publicLbUrl: string;
  /** Allowed CORS origins; empty = CORS off. */
  readonly corsOrigins: readonly string[];
  /** Allowed CORS request headers. */
  readonly corsHeaders: readonly string[];
  /** How long in-flight requests may take to finish on shutdown. */
  readonly shutdownGraceMs: number;
}

/** The whole configuration. */
export interface Config {
  readonly server: ServerConfig;
  /** Settings that work but deserve a word at startup (logged by `main.ts`). */
  readonly warnings?: readonly string[];
  /** The local agent (full and pure-runner nodes). */
  readonly agent: AgentConfig;
  /** Runner pool and placement; present on `lb` nodes only. */
  readonly lb?: LbConfig;
  /** gRPC listener and status; present on `pure-runner` nodes only. */
  readonly runner?: RunnerConfig;
}

/** A configuration with one or more bad variables. */
export class ConfigError extends Error {
  /** One line per bad variable: `NAME=value: what it accepts`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Parses the configuration from `env`.
 *
 * @throws {ConfigError} listing every bad variable and what it accepts
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
  cwd: string = Deno.cwd(),
): Config {
  const reader = new EnvReader(env);
  const warnings: string[] = [];
  const server = readServerConfig(reader, cwd, warnings);
  const agent = readAgentConfig(reader);
  const lb = server.nodeType === "lb" ? readLbConfig(reader, server.db !== undefined) : undefined;
  const runner = server.nodeType === "pure-runner" ? readRunnerConfig(reader) : undefined;
  if (reader.errors.length > 0) throw new ConfigError(reader.errors);
  return {
    server,
    agent,
    ...(lb ? { lb } : {}),
    ...(runner ? { runner } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * `FN_NODE_TYPE`. Fn runs any value but `api`, `lb` and `pure-runner` as a full node
 * (`api-v2.md` §9). fnd does so for `runner`, the one other value Fn names (with a
 * warning), but rejects the rest: a typo silently starting a full node would open a
 * local database and run functions where none were meant to run.
 */
function readNodeType(reader: EnvReader, warnings: string[]): NodeType {
  const value = reader.string("FN_NODE_TYPE", "full").trim();
  if (value === "runner") {
    warnings.push(
      "FN_NODE_TYPE=runner runs a full node, as in Fn; set FN_NODE_TYPE=full to say so, " +
        "or FN_NODE_TYPE=pure-runner for a gRPC runner behind an lb node",
    );
    return "full";
  }
  const match = NODE_TYPES.find((t) => t === value);
  if (match === undefined) {
    reader.fail(
      "FN_NODE_TYPE",
      value,
      `expected one of ${NODE_TYPES.join(", ")} (Fn would run it as full: set full for that)`,
    );
    return "full";
  }
  return match;
}

function readServerConfig(reader: EnvReader, cwd: string, warnings: string[]): ServerConfig {
  const nodeType = readNodeType(reader, warnings);
  const needsDb = nodeType === "full" || nodeType === "api";
  const defaultDbUrl = needsDb ? `sqlite3://${cwd}/data/fnd.db` : "";
  const dbUrl = reader.string("FN_DB_URL", defaultDbUrl).trim();
  let db: DbLocation | undefined;
  if (dbUrl !== "") {
    try {
      db = parseDbUrl(dbUrl);
    } catch (err) {
      // Never the password: the URL as redactDbUrl() shows it, as in parseDbUrl's message.
      const shown = redactDbUrl(dbUrl);
      reader.fail("FN_DB_URL", shown, (err as Error).message.replace(`${shown}: `, ""));
    }
  }
  return {
    nodeType,
    port: reader.int("FN_PORT", 8080, { min: 0, max: 65535 }),
    dbUrl: dbUrl === "" ? undefined : dbUrl,
    db,
    dbConnectAttempts: Math.max(1, reader.int("FN_DS_DB_PING_MAX_RETRIES", 10, { min: 0 })),
    logLevel: readLogLevel(reader),
    logFormat: reader.oneOf("FN_LOG_FORMAT", ["text", "json"] as const, "text"),
    maxRequestBytes: reader.int("FN_MAX_REQUEST_SIZE", 0, { min: 0 }),
    publicLbUrl: reader.string("FN_PUBLIC_LB_URL", "").trim(),
    corsOrigins: reader.list("FN_API_CORS_ORIGINS", /,/).map((s) => s.replace(/\s/g, "")),
    corsHeaders: readCorsHeaders(reader),
    shutdownGraceMs: reader.int("FN_SHUTDOWN_GRACE_MSECS", 30_000, { min: 0 }),
  };
}

function readLogLevel(reader: EnvReader): LogLevel {
  const value = reader.string("FN_LOG_LEVEL", "info").trim().toLowerCase();
  if (value === "warning") return "warn";
  if (value === "panic") return "fatal";
  const match = LOG_LEVELS.find((l) => l === value);
  if (match === undefined) {
    reader.fail("FN_LOG_LEVEL", value, `expected one of ${LOG_LEVELS.join(", ")}`);
    return "info";
  }
  return match;
}

function readCorsHeaders(reader: EnvReader): string[] {
  const headers = reader.list("FN_API_CORS_HEADERS", /,/).map((s) => s.replace(/\s/g, ""));
  return headers.length > 0 ? headers : ["Origin", "Content-Length", "Content-Type"];
}
