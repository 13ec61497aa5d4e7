import assert from "node:assert/strict";
import { EnvReader } from "../../_env.ts";
import { readAgentConfig } from "../agent_config.ts";
import type { ContainerSpec } from "../container.ts";
import { buildCreateOptions } from "./create_options.ts";

const spec: ContainerSpec = {
  id: "01ABC",
  appId: "app1",
  appName: "a",
  fnId: "fn1",
  fnName: "f",
  image: "img:1",
  env: { FN_FORMAT: "http-stream", K: "v=1" },
  memoryMb: 64,
  cpuMillis: 500,
  format: "http-stream",
};
const ctx = {
  instanceId: "inst",
  nodeId: "full@host1:8080",
  iofsDockerDir: "/d/iofs1",
  hostname: "host1",
  swappinessSupported: true,
  stdin: false,
};

Deno.test("buildCreateOptions() gives the hardened defaults of Fn", () => {
  const o = buildCreateOptions(spec, readAgentConfig(new EnvReader({})), ctx);
  const h = o.HostConfig!;
  assert.equal(o.name, "01ABC");
  assert.deepEqual(o.Env, ["FN_FORMAT=http-stream", "K=v=1"]);
  assert.equal(o.User, "1000:1000");
  assert.equal(o.Hostname, "host1");
  assert.deepEqual(o.Labels, {
    "fnd.instance": "inst",
    "fnd.node": "full@host1:8080",
    "fnd.app_id": "app1",
    "fnd.fn_id": "fn1",
    "fnd.classifier": "fnd",
  });
  assert.equal(h.Memory, 64 * 1048576);
  assert.equal(h.MemorySwap, 64 * 1048576);
  assert.equal(h.MemorySwappiness, 0);
  assert.equal(h.CpuQuota, 50_000);
  assert.equal(h.CpuPeriod, 100_000);
  assert.equal(h.PidsLimit, 50);
  assert.deepEqual(h.Ulimits, [
    { Name: "nofile", Soft: 350, Hard: 350 },
    { Name: "memlock", Soft: 65536, Hard: 65536 },
    { Name: "sigpending", Soft: 5000, Hard: 5000 },
    { Name: "msgqueue", Soft: 819200, Hard: 819200 },
  ]);
  assert.deepEqual(h.Tmpfs, { "/tmp": "" });
  assert.equal(h.ReadonlyRootfs, true);
  assert.deepEqual(h.CapDrop, ["all"]);
  assert.deepEqual(h.SecurityOpt, ["no-new-privileges"]);
  assert.deepEqual(h.Binds, ["/d/iofs1:/tmp/iofs"]);
  assert.deepEqual(h.LogConfig, { Type: "none", Config: {} });
  assert.equal(h.NetworkMode, undefined);
  assert.equal(o.OpenStdin, false);
});

Deno.test("buildCreateOptions() follows the config switches and the spec", () => {
  const config = readAgentConfig(
    new EnvReader({
      FN_DISABLE_UNPRIVILEGED_CONTAINERS: "true",
      FN_DISABLE_READONLY_ROOTFS: "true",
      FN_MAX_PIDS: "0",
      FN_MAX_FS_SIZE_MB: "10",
    }),
  );
  const o = buildCreateOptions(
    { ...spec, memoryMb: 0, cpuMillis: 0, syslogUrl: "tcp://log:514", networkDisabled: true },
    config,
    { ...ctx, swappinessSupported: false, stdin: true, network: "ignored" },
  );
  const h = o.HostConfig!;
  assert.equal(o.User, undefined);
  assert.equal(h.CapDrop, undefined);
  assert.equal(h.ReadonlyRootfs, false);
  assert.equal(h.Tmpfs, undefined);
  assert.equal(h.PidsLimit, undefined);
  assert.equal(h.Memory, undefined);
  assert.equal(h.CpuQuota, undefined);
  assert.deepEqual(h.StorageOpt, { size: "10M" });
  assert.equal(h.NetworkMode, "none");
  assert.equal(o.Hostname, undefined);
  assert.equal(o.OpenStdin, true);
  // fnd sends function output to the syslog URL itself (src/logs), not Docker's driver.
  assert.equal(h.LogConfig?.Type, "none");
});

Deno.test("buildCreateOptions() omits MemorySwappiness where the engine rejects it", () => {
  const o = buildCreateOptions(spec, readAgentConfig(new EnvReader({})), {
    ...ctx,
    swappinessSupported: false,
  });
  assert.equal(o.HostConfig?.MemorySwappiness, undefined);
});
