/**
 * `PureRunner`: the `RunnerProtocol` service of a `pure-runner` node, wrapping the
 * node's local agent. `Engage` runs calls (`engage_session.ts`), `Status`/`Status2`
 * report health (`status_checker.ts`), `ConfigureRunner` stores the map it is given,
 * and `StreamLogs` fails as on a stock Fn runner (no log streamer).
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import type { Agent } from "../agent/call.ts";
import type {
  ConfigMsg,
  DecodedClientMsg,
  ProtoStruct,
  RunnerMsg,
  RunnerStatus,
} from "../grpc/runner_messages.ts";
import { structToJson } from "../grpc/struct_json.ts";
import { statusMessage } from "../grpc/wire_messages.ts";
import { log as rootLog, type Logger } from "../log.ts";
import { EngageSession } from "./engage_session.ts";
import { RunnerMetrics } from "./runner_metrics.ts";
import { type RunnerCounters, StatusChecker } from "./status_checker.ts";

/** Fn's answer to `StreamLogs` on a runner without a log streamer. */
export const NO_LOG_STREAMER = "runner not configured with logStreamer";

/** How a {@linkcode PureRunner} is built. */
export interface PureRunnerOptions {
  /** The local agent that runs the calls (non-blocking, so a full runner NACKs). */
  readonly agent: Agent;
  /** Image run for `Status`; "" = counters only. */
  readonly statusImage?: string;
  readonly metrics?: RunnerMetrics;
  readonly log?: Logger;
}

/** The gRPC side of a pure runner. */
export class PureRunner {
  readonly #agent: Agent;
  readonly #statusImage: string;
  readonly #status: StatusChecker;
  readonly #metrics: RunnerMetrics;
  readonly #log: Logger;
  #active = 0;
  #received = 0;
  #handled = 0;
  #config: Readonly<Record<string, string>> = {};
  #idle: (() => void) | undefined;

  /** A runner over `options.agent`. */
  constructor(options: PureRunnerOptions) {
    this.#agent = options.agent;
    this.#statusImage = options.statusImage ?? "";
    this.#log = (options.log ?? rootLog).child({ component: "pure-runner" });
    const metrics = this.#metrics = options.metrics ?? new RunnerMetrics();
    this.#status = new StatusChecker(this.#agent, this.#statusImage, () => this.counters, metrics);
  }

  /** Live counters: Engage streams in flight, received and finished. */
  get counters(): RunnerCounters {
    return {
      active: this.#active,
      requestsReceived: this.#received,
      requestsHandled: this.#handled,
    };
  }

  /** The last map `ConfigureRunner` received. */
  get configuration(): Readonly<Record<string, string>> {
    return this.#config;
  }

  /** The handlers to register with `grpc.Server.addService`. */
  implementation(): grpc.UntypedServiceImplementation {
    const engage: grpc.handleBidiStreamingCall<DecodedClientMsg, RunnerMsg> = (call) =>
      void this.#engage(call);
    const status: grpc.handleUnaryCall<unknown, RunnerStatus> = (call, cb) =>
      void this.#answerStatus("{}", call, cb);
    const status2: grpc.handleUnaryCall<ProtoStruct, RunnerStatus> = (call, cb) =>
      void this.#answerStatus(JSON.stringify(structToJson(call.request)), call, cb);
    const configureRunner: grpc.handleUnaryCall<ConfigMsg, object> = (call, cb) => {
      this.#config = { ...call.request.config };
      this.#log.info("runner configured", { keys: Object.keys(this.#config) });
      cb(null, {});
    };
    const streamLogs: grpc.handleBidiStreamingCall<unknown, unknown> = (call) => {
      call.emit("error", { code: grpc.status.UNKNOWN, details: NO_LOG_STREAMER });
    };
    return { engage, status, status2, configureRunner, streamLogs };
  }

  /** Waits until no Engage stream is in flight. */
  async drained(): Promise<void> {
    if (this.#active > 0) await new Promise<void>((resolve) => this.#idle = resolve);
  }

  async #engage(call: grpc.ServerDuplexStream<DecodedClientMsg, RunnerMsg>): Promise<void> {
    this.#received++;
    this.#active++;
    const requestId = call.metadata.get("fn_request_id")[0];
    const log = requestId === undefined
      ? this.#log
      : this.#log.child({ fn_request_id: String(requestId) });
    try {
      const session = new EngageSession(call, {
        agent: this.#agent,
        statusImage: this.#statusImage,
        log,
      });
      this.#metrics.engages.inc({ outcome: await session.run() });
    } finally {
      this.#handled++;
      if (--this.#active === 0) this.#idle?.();
    }
  }

  async #answerStatus(
    requestJson: string,
    call: grpc.ServerUnaryCall<unknown, RunnerStatus>,
    cb: grpc.sendUnaryData<RunnerStatus>,
  ): Promise<void> {
    const gone = new AbortController();
    call.on("cancelled", () => gone.abort(new Error("the caller cancelled the status request")));
    try {
      cb(null, statusMessage(await this.#status.status(requestJson, gone.signal)));
    } catch (err) {
      cb({ code: grpc.status.CANCELLED, details: (err as Error).message });
    }
  }
}
