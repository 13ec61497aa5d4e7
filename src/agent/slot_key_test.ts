import assert from "node:assert/strict";
import { slotKey, type SlotKeyInput } from "./slot_key.ts";

const base: SlotKeyInput = {
  appId: "A",
  fnId: "F",
  image: "img:1",
  timeoutSeconds: 30,
  idleTimeoutSeconds: 30,
  memoryMb: 128,
  cpuMillis: 0,
  env: { A: "1", B: "2" },
  annotations: { x: 1 },
  format: "http-stream",
};

Deno.test("slotKey() ignores the order of config and annotation keys", () => {
  const reordered = { ...base, env: { B: "2", A: "1" } };
  assert.equal(slotKey(base), slotKey(reordered));
});

Deno.test("slotKey() changes when anything that makes containers differ changes", async (t) => {
  const changes: [string, Partial<SlotKeyInput>][] = [
    ["image", { image: "img:2" }],
    ["memory", { memoryMb: 256 }],
    ["cpu", { cpuMillis: 500 }],
    ["timeout", { timeoutSeconds: 31 }],
    ["idle timeout", { idleTimeoutSeconds: 31 }],
    ["config value", { env: { A: "1", B: "3" } }],
    ["config key moved between fields", { env: { A: "1", B: "", "2": "" } }],
    ["annotation", { annotations: { x: 2 } }],
    ["syslog url", { syslogUrl: "tcp://x:1" }],
    ["format", { format: "json" }],
    ["fn id", { fnId: "G" }],
  ];
  for (const [name, change] of changes) {
    await t.step(name, () => assert.notEqual(slotKey({ ...base, ...change }), slotKey(base)));
  }
});
