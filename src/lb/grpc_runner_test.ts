import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { runnerChannelOptions } from "./grpc_runner.ts";

const credentials = grpc.credentials.createInsecure();

Deno.test("runnerChannelOptions() sends no keepalive pings by default, as Fn's LB", () => {
  const options = runnerChannelOptions({ credentials });
  assert.equal(options["grpc.keepalive_time_ms"], undefined);
  assert.equal(options["grpc.keepalive_timeout_ms"], undefined);
  assert.equal(options["grpc.enable_retries"], 0);
});

Deno.test("runnerChannelOptions() pings only while calls are in flight when keepalive is set", () => {
  const options = runnerChannelOptions({
    credentials,
    keepaliveMs: 300_000,
    keepaliveTimeoutMs: 15_000,
    channelOptions: { "grpc.ssl_target_name_override": "runner" },
  });
  assert.equal(options["grpc.keepalive_time_ms"], 300_000);
  assert.equal(options["grpc.keepalive_timeout_ms"], 15_000);
  assert.equal(options["grpc.keepalive_permit_without_calls"], 0);
  assert.equal(options["grpc.ssl_target_name_override"], "runner");
  assert.equal(
    runnerChannelOptions({ credentials, keepaliveMs: 1 })["grpc.keepalive_timeout_ms"],
    20_000,
  );
});
