import assert from "node:assert/strict";
import type { CallModel } from "../grpc/call_model.ts";
import { callFromModel } from "./call_from_model.ts";

const context = { body: null, signal: new AbortController().signal, createdAt: new Date() };

function model(over: Partial<CallModel> = {}): CallModel {
  return {
    id: "01CALL",
    status: "running",
    image: "fnd-test/hello:1",
    type: "sync",
    url: "http://lb:8080/invoke/01FN",
    method: "POST",
    timeout: 30,
    idle_timeout: 30,
    memory: 128,
    config: { GREETING: "hi", FN_MEMORY: "128" },
    annotations: { "fnd.io/format": "http-stream" },
    headers: { "Content-Type": ["text/plain"] },
    completed_at: "0001-01-01T00:00:00.000Z",
    created_at: "2026-12-01T00:00:00.000Z",
    app_id: "01APP",
    app_name: "demo",
    trigger_id: "",
    fn_id: "01FN",
    fn_name: "hello",
    ...over,
  };
}

Deno.test("callFromModel() hands out the same app and fn for equal models", () => {
  const a = callFromModel(model(), context);
  const b = callFromModel(model({ id: "01OTHER", headers: { "X-A": ["1"] } }), context);
  assert.equal(a.fn, b.fn);
  assert.equal(a.app, b.app);
  assert.equal(b.id, "01OTHER");
  assert.equal(b.headers.get("x-a"), "1");
  assert.deepEqual(a.fn.config, { GREETING: "hi", FN_MEMORY: "128" });
  assert.equal(a.fn.memoryMb, 128);
});

Deno.test("callFromModel() builds new entities when what defines the container changes", async (t) => {
  const base = callFromModel(model(), context);
  const changes: [string, Partial<CallModel>][] = [
    ["image", { image: "fnd-test/hello:2" }],
    ["memory", { memory: 256 }],
    ["timeout", { timeout: 10 }],
    ["idle timeout", { idle_timeout: 5 }],
    ["config", { config: { GREETING: "hello" } }],
    ["annotations", { annotations: {} }],
    ["syslog url", { syslog_url: "tcp://127.0.0.1:514" }],
    ["app name", { app_name: "other" }],
  ];
  for (const [name, over] of changes) {
    await t.step(name, () => {
      const changed = callFromModel(model(over), context);
      assert.notEqual(changed.fn, base.fn);
    });
  }
});
