import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../config.ts";

Deno.test("readRunnerConfig() defaults to port 9190, no status image, non-blocking", () => {
  const config = loadConfig({ FN_NODE_TYPE: "pure-runner" });
  assert.deepEqual(config.runner, {
    grpcPort: 9190,
    statusImage: "",
    nonBlocking: true,
    tls: { caFile: "", certFile: "", keyFile: "" },
  });
  assert.equal(config.lb, undefined);
});

Deno.test("readRunnerConfig() reads the port, status image, tracker mode and TLS", () => {
  const config = loadConfig({
    FN_NODE_TYPE: "pure-runner",
    FN_GRPC_PORT: "9300",
    FN_STATUS_IMAGE: "fnd/status:1",
    FN_ENABLE_NB_RESOURCE_TRACKER: "false",
    FN_GRPC_CERT_FILE: "/c.pem",
    FN_GRPC_KEY_FILE: "/k.pem",
    FN_GRPC_CA_FILE: "/ca.pem",
  });
  assert.equal(config.runner?.grpcPort, 9300);
  assert.equal(config.runner?.statusImage, "fnd/status:1");
  assert.equal(config.runner?.nonBlocking, false);
  assert.deepEqual(config.runner?.tls, {
    caFile: "/ca.pem",
    certFile: "/c.pem",
    keyFile: "/k.pem",
  });
});

Deno.test("readRunnerConfig() wants both certificate and key", () => {
  assert.throws(
    () =>
      loadConfig({ FN_NODE_TYPE: "pure-runner", FN_GRPC_CA_FILE: "/ca.pem", FN_GRPC_PORT: "x" }),
    (e) =>
      e instanceof ConfigError && e.problems.some((p) => p.includes("FN_GRPC_CERT_FILE")) &&
      e.problems.some((p) => p.startsWith("FN_GRPC_PORT=x")),
  );
});
