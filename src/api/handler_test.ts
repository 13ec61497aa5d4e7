import assert from "node:assert/strict";
import type { ServerConfig } from "../config.ts";
import { loadConfig } from "../config.ts";
import { Logger } from "../log.ts";
import { APIError } from "../models/api_error.ts";
import { createHandler } from "./handler.ts";
import type { RouteSpec } from "./routes.ts";

const config: ServerConfig = loadConfig({ FN_NODE_TYPE: "pure-runner" }, "/tmp").server;

function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger({ level: 0, format: "json", sink: (l) => lines.push(l) }), lines };
}

function handlerWith(routes: RouteSpec[], log: Logger) {
  return createHandler({ nodeType: "pure-runner", config, log, routes });
}

const boom: RouteSpec = {
  method: "GET",
  path: "/boom",
  group: "admin",
  handle: () => Promise.reject(new Error("secret database detail")),
};
const busy: RouteSpec = {
  method: "GET",
  path: "/busy",
  group: "admin",
  handle: () =>
    Promise.reject(new APIError(503, "Timed out - server too busy", { retryAfterSeconds: 15 })),
};
const echo: RouteSpec = {
  method: "GET",
  path: "/echo/:id/*rest",
  group: "admin",
  handle: (_req, ctx) => Promise.resolve(Response.json(ctx.params)),
};
const v2: RouteSpec = { ...echo, path: "/v2/x", group: "v2" };

Deno.test("createHandler() answers unexpected errors with a bare 500 and logs the stack", async () => {
  const { log, lines } = capturingLogger();
  const res = await handlerWith([boom], log)(new Request("http://h/boom"));
  assert.equal(res.status, 500);
  assert.equal(await res.text(), '{"message":"internal server error"}\n');
  assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "internal server error");
  assert.match(logged.error, /secret database detail\n\s+at /);
});

Deno.test("createHandler() passes an APIError's status, message and Retry-After", async () => {
  const { log } = capturingLogger();
  const res = await handlerWith([busy], log)(new Request("http://h/busy"));
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "15");
  assert.deepEqual(await res.json(), { message: "Timed out - server too busy" });
});

Deno.test("createHandler() gives handlers decoded parameters", async () => {
  const { log } = capturingLogger();
  const res = await handlerWith([echo], log)(new Request("http://h/echo/a%20b/x/y%2Fz"));
  assert.deepEqual(await res.json(), { id: "a b", rest: "/x/y/z" });
});

Deno.test("createHandler() serves only the groups of the node type", async () => {
  const { log } = capturingLogger();
  const res = await handlerWith([echo, v2], log)(new Request("http://h/v2/x"));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { message: "Path not found: GET /v2/x" });
});

Deno.test("createHandler() refuses to serve /v2 without a datastore", () => {
  const { log } = capturingLogger();
  assert.throws(
    () => createHandler({ nodeType: "api", config, log }),
    { name: "TypeError", message: "Cannot serve /v2 on a api node without a datastore" },
  );
});

Deno.test("createHandler() refuses a declared body over FN_MAX_REQUEST_SIZE before routing", async () => {
  const { log } = capturingLogger();
  const handler = createHandler({
    nodeType: "pure-runner",
    config: { ...config, maxRequestBytes: 10 },
    log,
    routes: [echo],
  });
  const res = await handler(
    new Request("http://h/nowhere", {
      method: "POST",
      body: "x".repeat(11),
      headers: { "content-length": "11" },
    }),
  );
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), {
    message: "Content-Length too large for this server, 11 > max 10",
  });
});
