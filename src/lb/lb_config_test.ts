import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../config.ts";
import { NO_RUNNER_ADDRESSES, NO_RUNNER_API_URL } from "./lb_config.ts";

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, "/tmp");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

Deno.test("readLbConfig() reports Fn's startup errors for an LB with nothing configured", () => {
  const p = problems({ FN_NODE_TYPE: "lb" });
  assert.ok(p.some((l) => l.startsWith(NO_RUNNER_API_URL)), p.join("\n"));
  assert.ok(p.some((l) => l.startsWith(NO_RUNNER_ADDRESSES)), p.join("\n"));
});

Deno.test("readLbConfig() accepts FN_DB_URL instead of FN_RUNNER_API_URL", () => {
  const config = loadConfig({
    FN_NODE_TYPE: "lb",
    FN_DB_URL: "sqlite3:///tmp/x.db",
    FN_RUNNER_ADDRESSES: "127.0.0.1:9190, 127.0.0.1:9191,",
  });
  assert.deepEqual(config.lb?.runnerAddresses, ["127.0.0.1:9190", "127.0.0.1:9191"]);
  assert.equal(config.lb?.placer, "naive");
  assert.equal(config.lb?.runnerApiUrl, "");
  assert.equal(config.lb?.placerConfig.placerTimeoutMs, 360_000);
  assert.equal(config.lb?.placerConfig.detachedPlacerTimeoutMs, 30_000);
  assert.equal(config.runner, undefined);
});

Deno.test("readLbConfig() rejects bad values with what to set instead", async (t) => {
  const base = { FN_NODE_TYPE: "lb", FN_RUNNER_API_URL: "http://127.0.0.1:8080" };
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      "unknown placer",
      { FN_PLACER: "random", FN_RUNNER_ADDRESSES: "a:1" },
      /FN_PLACER=random: expected one of naive, ch/,
    ],
    [
      "address without port",
      { FN_RUNNER_ADDRESSES: "runner1" },
      /FN_RUNNER_ADDRESSES=runner1: each runner must be host:port/,
    ],
    [
      "cert without key",
      { FN_RUNNER_ADDRESSES: "a:1", FN_RUNNER_CERT_FILE: "/c.pem" },
      /FN_RUNNER_KEY_FILE/,
    ],
    [
      "keepalive more often than Go runners allow",
      { FN_RUNNER_ADDRESSES: "a:1", FN_RUNNER_KEEPALIVE_MSECS: "60000" },
      /FN_RUNNER_KEEPALIVE_MSECS=60000: must be 0 \(off\) or at least 300000/,
    ],
    [
      "keepalive timeout of 0",
      { FN_RUNNER_ADDRESSES: "a:1", FN_RUNNER_KEEPALIVE_TIMEOUT_MSECS: "0" },
      /FN_RUNNER_KEEPALIVE_TIMEOUT_MSECS=0: must be at least 1/,
    ],
    [
      "API URL without host",
      { FN_RUNNER_ADDRESSES: "a:1", FN_RUNNER_API_URL: "http://" },
      /no host specified for client/,
    ],
  ];
  for (const [name, env, expected] of cases) {
    await t.step(name, () => {
      const p = problems({ ...base, ...env });
      assert.ok(p.some((l) => expected.test(l)), p.join("\n"));
    });
  }
});

Deno.test("readLbConfig() selects the ch placer and reads TLS files", () => {
  const config = loadConfig({
    FN_NODE_TYPE: "lb",
    FN_RUNNER_API_URL: "http://api:8080",
    FN_RUNNER_ADDRESSES: "[::1]:9190",
    FN_PLACER: "ch",
    FN_RUNNER_CA_FILE: "/ca.pem",
    FN_RUNNER_CERT_FILE: "/c.pem",
    FN_RUNNER_KEY_FILE: "/k.pem",
  });
  assert.equal(config.lb?.placer, "ch");
  assert.deepEqual(config.lb?.runnerTls, {
    caFile: "/ca.pem",
    certFile: "/c.pem",
    keyFile: "/k.pem",
  });
});

Deno.test("readLbConfig() leaves runner keepalive off by default and reads it when set", () => {
  const base = {
    FN_NODE_TYPE: "lb",
    FN_RUNNER_API_URL: "http://api:8080",
    FN_RUNNER_ADDRESSES: "a:1",
  };
  const off = loadConfig(base).lb;
  assert.deepEqual([off?.runnerKeepaliveMs, off?.runnerKeepaliveTimeoutMs], [0, 20_000]);
  const on = loadConfig({
    ...base,
    FN_RUNNER_KEEPALIVE_MSECS: "300000",
    FN_RUNNER_KEEPALIVE_TIMEOUT_MSECS: "10000",
  }).lb;
  assert.deepEqual([on?.runnerKeepaliveMs, on?.runnerKeepaliveTimeoutMs], [300_000, 10_000]);
});
