import assert from "node:assert/strict";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import { APIError } from "../models/api_error.ts";
import { buildContainerEnv, functionFormat } from "./call_env.ts";

const at = new Date(0);
const app: App = {
  id: "A1",
  name: "myapp",
  config: { APP_VAR: "a", FN_MEMORY: "999", SHARED: "app" },
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

function fn(annotations: Record<string, unknown> = {}): Fn {
  return {
    id: "F1",
    name: "myfn",
    appId: "A1",
    image: "img:1",
    memoryMb: 64,
    timeoutSeconds: 30,
    idleTimeoutSeconds: 30,
    config: { FN_VAR: "f", SHARED: "fn" },
    annotations,
    createdAt: at,
    updatedAt: at,
  };
}

Deno.test("buildContainerEnv() layers app config, fn config, then FN_* variables", () => {
  assert.deepEqual(buildContainerEnv(app, fn(), "http-stream"), {
    APP_VAR: "a",
    SHARED: "fn",
    FN_VAR: "f",
    FN_MEMORY: "64",
    FN_TYPE: "sync",
    FN_FN_ID: "F1",
    FN_APP_ID: "A1",
    FN_APP_NAME: "myapp",
    FN_FN_NAME: "myfn",
    FN_LISTENER: "unix:/tmp/iofs/lsnr.sock",
    FN_FORMAT: "http-stream",
  });
});

Deno.test("buildContainerEnv() sets no FN_LISTENER for stdin/stdout formats", () => {
  const env = buildContainerEnv(app, fn(), "json");
  assert.equal(env.FN_LISTENER, undefined);
  assert.equal(env.FN_FORMAT, "json");
});

Deno.test("functionFormat() reads the fnd.io/format annotation", async (t) => {
  await t.step("absent gives http-stream", () => {
    assert.equal(functionFormat(fn()), "http-stream");
  });
  for (const format of ["http-stream", "http", "json", "default"]) {
    await t.step(`${format} is accepted`, () => {
      assert.equal(functionFormat(fn({ "fnd.io/format": format })), format);
    });
  }
  for (const bad of ["cloudevent", "JSON", 3, { a: 1 }]) {
    await t.step(`${JSON.stringify(bad)} is a 400 naming the choices`, () => {
      assert.throws(
        () => functionFormat(fn({ "fnd.io/format": bad })),
        (err: unknown) =>
          err instanceof APIError && err.status === 400 &&
          err.message.includes("fnd.io/format") && err.message.includes('"http-stream"'),
      );
    });
  }
});
