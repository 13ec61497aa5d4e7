/**
 * Loads `proto/runner.proto` once with `@grpc/proto-loader` and exposes the
 * `RunnerProtocol` service definition (for the pure runner's server) and client
 * constructor (for the LB's runner clients).
 *
 * Loader options are part of the contract with `runner_messages.ts`: field names in
 * camelCase, `oneofs: true` (a virtual `body`/`meta` field names the case), int64 as
 * JS numbers (nanosecond durations stay exact for ~104 days), enums as strings and
 * defaults filled in on decode.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import type {
  ClientMsg,
  ConfigMsg,
  DecodedRunnerMsg,
  ProtoStruct,
  RunnerStatus,
} from "./runner_messages.ts";

/** Where the proto lives; the file ships beside the sources. */
export const RUNNER_PROTO_PATH: string = fileURLToPath(
  new URL("../../proto/runner.proto", import.meta.url),
);

/** The proto-loader options the message types in `runner_messages.ts` assume. */
export const RUNNER_PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The loaded service: its definition for servers and a client constructor. */
export interface RunnerProtocol {
  /** For `grpc.Server.addService`. Method paths are `/RunnerProtocol/<Method>`. */
  readonly service: grpc.ServiceDefinition;
  /** `new Client(address, credentials, options)` gives a runner client. */
  readonly Client: grpc.ServiceClientConstructor;
}

let loaded: RunnerProtocol | undefined;

/**
 * Returns the `RunnerProtocol` service, loading the proto on first use.
 *
 * @throws {Error} when `proto/runner.proto` is missing or does not parse (a broken
 *   install: reinstall fnd or restore the file)
 */
export function runnerProtocol(): RunnerProtocol {
  if (loaded !== undefined) return loaded;
  const definition = protoLoader.loadSync(RUNNER_PROTO_PATH, RUNNER_PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition);
  const Client = pkg["RunnerProtocol"] as grpc.ServiceClientConstructor | undefined;
  if (Client === undefined || typeof Client !== "function") {
    throw new Error(`${RUNNER_PROTO_PATH} does not define service RunnerProtocol`);
  }
  loaded = { service: Client.service, Client };
  return loaded;
}

/** Fn's `MaxDataChunk`: body frames carry at most this many bytes in both directions. */
export const MAX_DATA_CHUNK = 10 * 1024;

/** A `RunnerProtocol` client with the methods proto-loader generates, typed. */
export interface RunnerProtocolClient extends grpc.Client {
  engage(
    metadata?: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<ClientMsg, DecodedRunnerMsg>;
  status(
    request: Record<string, never>,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<Required<RunnerStatus>>,
  ): grpc.ClientUnaryCall;
  status2(
    request: ProtoStruct,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<Required<RunnerStatus>>,
  ): grpc.ClientUnaryCall;
  configureRunner(
    request: ConfigMsg,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<Record<string, never>>,
  ): grpc.ClientUnaryCall;
  streamLogs(
    metadata?: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<unknown, unknown>;
}

/** A new client of the runner at `address` (`host:port`). */
export function newRunnerClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = {},
): RunnerProtocolClient {
  const { Client } = runnerProtocol();
  return new Client(address, credentials, options) as unknown as RunnerProtocolClient;
}
