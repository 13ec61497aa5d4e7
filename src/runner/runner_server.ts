/**
 * Starts the pure runner's gRPC listener (`FN_GRPC_PORT`, all interfaces by default),
 * plaintext or TLS/mTLS, and stops it gracefully: refuse new streams, let open ones
 * finish for a grace period, then cut them.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { runnerProtocol } from "../grpc/runner_proto.ts";
import type { PureRunner } from "./pure_runner.ts";

/** Where and how to listen. */
export interface RunnerServerOptions {
  readonly runner: PureRunner;
  /** 0 picks a free port. */
  readonly port: number;
  /** @default {"0.0.0.0"} */
  readonly host?: string;
  readonly credentials: grpc.ServerCredentials;
  /**
   * The process exits once the server closed: `close()` then waits for the Engage
   * streams in flight (new ones are NACKed by the closing agent) and leaves the
   * connections to the exit instead of sending GOAWAY, which Deno 2.9.6 can abort a peer
   * LB on (denoland/deno#36788).
   * @default {false}
   */
  readonly processExits?: boolean;
}

/** A listening runner server. */
export interface RunnerServer extends AsyncDisposable {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting streams; open ones get `graceMs` to finish, then are cancelled. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Binds the runner protocol on `host:port`.
 *
 * @throws {Error} `Could not listen on <addr>` (Fn's words) with the cause
 */
export async function startRunnerServer(options: RunnerServerOptions): Promise<RunnerServer> {
  const server = new grpc.Server();
  server.addService(runnerProtocol().service, options.runner.implementation());
  const host = options.host ?? "0.0.0.0";
  const address = `${host.includes(":") ? `[${host}]` : host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, options.credentials, (err, bound) => {
      if (err) reject(new Error(`Could not listen on ${address}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  });
  let closing: Promise<void> | undefined;
  const close = (graceMs = 30_000): Promise<void> => {
    if (options.processExits) return closing ??= drain(options.runner, graceMs);
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.forceShutdown(), graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return closing;
  };
  return { port, close, [Symbol.asyncDispose]: () => close() };
}

/** Waits until `runner` has no Engage stream in flight, or `graceMs` passed. */
async function drain(runner: PureRunner, graceMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    runner.drained(),
    new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs)),
  ]);
  clearTimeout(timer);
}
