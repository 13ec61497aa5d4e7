/**
 * The gRPC floor's far end (`deno run -A bench/engage_echo_server.ts`): a RunnerProtocol
 * server whose `Engage` does no work — it reads the call's frames to EOF and answers
 * `CallResultStart` 200, the body back in one `DataFrame`, and `CallFinished`, the
 * message sequence a pure runner sends. It prints `engage echo listening port=<n>` once
 * bound on loopback and runs until killed.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import type { DecodedClientMsg, RunnerMsg } from "../src/grpc/runner_messages.ts";
import { runnerProtocol } from "../src/grpc/runner_proto.ts";

type EngageCall = grpc.ServerDuplexStream<DecodedClientMsg, RunnerMsg>;

function engage(call: EngageCall): void {
  const chunks: Uint8Array[] = [];
  let done = false;
  call.on("data", (msg: DecodedClientMsg) => {
    if (done || msg.body !== "data") return;
    if (msg.data.data.byteLength > 0) chunks.push(msg.data.data);
    if (!msg.data.eof) return;
    done = true;
    call.write({ resultStart: { http: { statusCode: 200, headers: [] } } });
    for (const data of chunks) call.write({ data: { data, eof: false } });
    call.write({ finished: { success: true } });
    call.end();
  });
  call.on("error", () => {});
}

if (import.meta.main) {
  const server = new grpc.Server();
  const unimplemented = (_: unknown, cb: grpc.sendUnaryData<unknown>) =>
    cb({ code: grpc.status.UNIMPLEMENTED });
  server.addService(runnerProtocol().service, {
    engage,
    status: unimplemented,
    status2: unimplemented,
    configureRunner: unimplemented,
    streamLogs: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    // deno-lint-ignore no-console
    console.log(`engage echo listening port=${port}`);
  });
}
