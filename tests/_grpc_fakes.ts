/**
 * Test helpers for the runner protocol: an in-process fnd runner over a scripted
 * agent, raw grpc-js clients that play Fn's Go LB, a raw server that plays Fn's Go
 * runner, and small stream utilities. Never used outside tests.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import type { Buffer } from "node:buffer";
import * as net from "node:net";
import type { Agent, CallOutcome, CallRequest, CallResponse } from "../src/agent/call.ts";
import type {
  ClientMsg,
  DecodedClientMsg,
  DecodedRunnerMsg,
  RunnerMsg,
} from "../src/grpc/runner_messages.ts";
import { runnerProtocol, type RunnerProtocolClient } from "../src/grpc/runner_proto.ts";
import { PureRunner } from "../src/runner/pure_runner.ts";
import { RunnerMetrics } from "../src/runner/runner_metrics.ts";
import { startRunnerServer } from "../src/runner/runner_server.ts";
import client from "prom-client";
import { quietLog } from "./_fake_launcher.ts";

export { quietLog };

/** An outcome for scripted answers. */
export function outcome(extra: Partial<CallOutcome> = {}): CallOutcome {
  const now = new Date();
  return {
    status: "success",
    schedulerMs: 1,
    executionMs: 2,
    startedAt: now,
    completedAt: now,
    ...extra,
  };
}

/** Reads a whole stream. */
export async function readAll(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `n` bytes of a repeating pattern. */
export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** An agent whose answers the test scripts; records every call and its body. */
export class ScriptAgent implements Agent {
  readonly calls: CallRequest[] = [];
  readonly bodies: Promise<Uint8Array>[] = [];
  script: (call: CallRequest, body: Promise<Uint8Array>) => Promise<CallResponse>;

  constructor(script: (call: CallRequest, body: Promise<Uint8Array>) => Promise<CallResponse>) {
    this.script = script;
  }

  submit(call: CallRequest): Promise<CallResponse> {
    this.calls.push(call);
    const body = readAll(call.body);
    body.catch(() => {});
    this.bodies.push(body);
    return this.script(call, body);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A function that echoes its body after reading all of it. */
export function echoScript(
  call: CallRequest,
  body: Promise<Uint8Array>,
): Promise<CallResponse> {
  return body.then((bytes) => {
    call.onStart?.();
    return {
      status: 200,
      headers: new Headers({ "content-type": "application/octet-stream", "fn-fdk-version": "t" }),
      body: ReadableStream.from([bytes]),
      done: Promise.resolve(outcome()),
    };
  });
}

/** An in-process fnd pure runner on a free loopback port. */
export interface TestRunner extends AsyncDisposable {
  readonly port: number;
  readonly address: string;
  readonly runner: PureRunner;
  readonly registry: client.Registry;
  close(): Promise<void>;
}

/** Starts a {@linkcode TestRunner} over `agent`. */
export async function startTestRunner(
  agent: Agent,
  options: { statusImage?: string; credentials?: grpc.ServerCredentials } = {},
): Promise<TestRunner> {
  const registry = new client.Registry();
  const runner = new PureRunner({
    agent,
    statusImage: options.statusImage ?? "",
    metrics: new RunnerMetrics(registry),
    log: quietLog,
  });
  const server = await startRunnerServer({
    runner,
    port: 0,
    host: "127.0.0.1",
    credentials: options.credentials ?? grpc.ServerCredentials.createInsecure(),
  });
  const close = () => server.close(100);
  return {
    port: server.port,
    address: `127.0.0.1:${server.port}`,
    runner,
    registry,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The exact bytes each decoded message arrived as (see {@linkcode wireBytes}). */
const rawBytes = new WeakMap<object, Uint8Array>();

/** The bytes a message decoded by a fake (runner or raw client) arrived as on the wire. */
export function wireBytes(message: object): number[] {
  const bytes = rawBytes.get(message);
  if (bytes === undefined) throw new Error("this message was not decoded by a fake");
  return [...bytes];
}

/** `service` with Engage's decoders remembering each message's wire bytes. */
function capturingService(): grpc.ServiceDefinition {
  const service = runnerProtocol().service;
  const engage = service["Engage"]!;
  const remember = <T>(decode: (b: Buffer) => T) => (bytes: Buffer): T => {
    const message = decode(bytes);
    rawBytes.set(message as object, Uint8Array.from(bytes));
    return message;
  };
  return {
    ...service,
    Engage: {
      ...engage,
      requestDeserialize: remember(engage.requestDeserialize),
      responseDeserialize: remember(engage.responseDeserialize),
    },
  };
}

/** A raw client, as a Go LB would hold; Engage messages keep their {@linkcode wireBytes}. */
export function rawClient(address: string): RunnerProtocolClient & Disposable {
  const Client = grpc.makeGenericClientConstructor(capturingService(), "RunnerProtocol");
  const c = new Client(address, grpc.credentials.createInsecure()) as unknown as
    & RunnerProtocolClient
    & grpc.Client;
  return Object.assign(c, { [Symbol.dispose]: () => c.close() });
}

/** Everything one Engage stream received, and how it ended. */
export interface EngageResult {
  readonly messages: DecodedRunnerMsg[];
  readonly status: grpc.StatusObject;
}

/** Runs one Engage stream: writes `messages` in order (never half-closing). */
export function engage(
  c: RunnerProtocolClient,
  messages: ClientMsg[],
  options: { halfClose?: boolean } = {},
): Promise<EngageResult> {
  const stream = c.engage();
  const received: DecodedRunnerMsg[] = [];
  stream.on("data", (m: DecodedRunnerMsg) => received.push(m));
  stream.on("error", () => {});
  for (const m of messages) stream.write(m);
  if (options.halfClose) stream.end();
  return new Promise((resolve) => {
    stream.on("status", (status: grpc.StatusObject) => {
      resolve({ messages: received, status });
      stream.cancel();
    });
  });
}

/** The Go LB's framing of `body`: 10 KiB frames, then one empty EOF frame. */
export function goFrames(body: Uint8Array): ClientMsg[] {
  const out: ClientMsg[] = [];
  for (let i = 0; i < body.byteLength; i += 10240) {
    out.push({ data: { data: body.subarray(i, i + 10240), eof: false } });
  }
  out.push({ data: { data: new Uint8Array(0), eof: true } });
  return out;
}

/** One Engage stream as a Go-like runner sees it. */
export interface FakeEngage {
  readonly call: grpc.ServerDuplexStream<DecodedClientMsg, RunnerMsg>;
  /** Messages received so far. */
  readonly received: DecodedClientMsg[];
  /** Resolves once the EOF frame (or the end of the stream) arrived. */
  readonly eof: Promise<void>;
  /** Whether the LB half-closed before the EOF frame. */
  halfClosedEarly: boolean;
  cancelled: boolean;
}

/** A raw `RunnerProtocol` server playing Fn's Go runner; `onEngage` scripts each stream. */
export interface FakeGoRunner extends AsyncDisposable {
  readonly address: string;
  readonly streams: FakeEngage[];
  close(): void;
}

/**
 * Starts a {@linkcode FakeGoRunner} on `port` (default: a free loopback port). Received
 * Engage messages keep their {@linkcode wireBytes}.
 */
export async function startFakeGoRunner(
  onEngage: (engage: FakeEngage) => void | Promise<void>,
  port = 0,
): Promise<FakeGoRunner> {
  const server = new grpc.Server();
  const streams: FakeEngage[] = [];
  const unimplemented = (_: unknown, cb: grpc.sendUnaryData<unknown>) =>
    cb({ code: grpc.status.UNIMPLEMENTED });
  server.addService(capturingService(), {
    engage: (call: grpc.ServerDuplexStream<DecodedClientMsg, RunnerMsg>) => {
      let sawEof!: () => void;
      const fake: FakeEngage = {
        call,
        received: [],
        eof: new Promise((r) => sawEof = r),
        halfClosedEarly: false,
        cancelled: false,
      };
      streams.push(fake);
      call.on("data", (m: DecodedClientMsg) => {
        fake.received.push(m);
        if (m.body === "data" && m.data.eof) sawEof();
      });
      call.on("end", () => {
        if (!fake.received.some((m) => m.body === "data" && m.data.eof)) {
          fake.halfClosedEarly = true;
        }
        sawEof();
      });
      call.on("cancelled", () => {
        fake.cancelled = true;
        sawEof();
      });
      call.on("error", () => {});
      void onEngage(fake);
    },
    status: unimplemented,
    status2: unimplemented,
    configureRunner: unimplemented,
    streamLogs: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `127.0.0.1:${port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    )
  );
  const close = () => server.forceShutdown();
  return {
    address: `127.0.0.1:${bound}`,
    streams,
    close,
    [Symbol.asyncDispose]: () => Promise.resolve(close()),
  };
}

/** The body bytes an LB sent on one Engage stream. */
export function bodyOf(received: DecodedClientMsg[]): Uint8Array {
  const parts = received.flatMap((m) => (m.body === "data" ? [m.data.data] : []));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** One top-level field of an encoded protobuf message. */
export interface ProtoField {
  readonly field: number;
  readonly wireType: number;
  /** The varint value, or the length-delimited payload. */
  readonly value: number | number[];
}

function readVarint(bytes: readonly number[], at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let i = at;
  for (;;) {
    const b = bytes[i++]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [value, i];
  }
}

/** The top-level fields of `bytes` (varint and length-delimited only, as runner.proto uses). */
export function protoFields(bytes: readonly number[]): ProtoField[] {
  const out: ProtoField[] = [];
  for (let i = 0; i < bytes.length;) {
    const [tag, afterTag] = readVarint(bytes, i);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) {
      const [value, next] = readVarint(bytes, afterTag);
      out.push({ field, wireType, value });
      i = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(bytes, afterTag);
      out.push({ field, wireType, value: bytes.slice(start, start + length) });
      i = start + length;
    } else {
      throw new Error(`wire type ${wireType} is not used by runner.proto`);
    }
  }
  return out;
}

/** The field numbers present in the message nested in field `field` of `bytes`. */
export function nestedFieldNumbers(bytes: readonly number[], field: number): number[] {
  const nested = protoFields(bytes).find((f) => f.field === field)?.value;
  if (!Array.isArray(nested)) throw new Error(`no length-delimited field ${field}`);
  return protoFields(nested).map((f) => f.field);
}

/** A TCP proxy to a runner that can go silent, like a host that vanished without a reset. */
export interface SilenceableProxy extends AsyncDisposable {
  /** `127.0.0.1:<port>` to connect to instead of the target. */
  readonly address: string;
  /** From now on, nothing more is forwarded either way, and nothing is closed. */
  silence(): void;
}

/** Starts a {@linkcode SilenceableProxy} in front of `target` (`host:port`). */
export async function startSilenceableProxy(target: string): Promise<SilenceableProxy> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(":")),
    target.slice(target.lastIndexOf(":") + 1),
  ];
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(port), host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
    }
    inbound.on("data", (d) => silent || outbound.write(d));
    outbound.on("data", (d) => silent || inbound.write(d));
    inbound.on("end", () => silent || outbound.end());
    outbound.on("end", () => silent || inbound.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${address.port}`,
    silence: () => silent = true,
    [Symbol.asyncDispose]: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
