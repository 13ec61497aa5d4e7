import assert from "node:assert/strict";
import {
  fixedLookup,
  routeContext,
  ScriptedAgent,
  successOutcome,
  testApp,
  testFn,
} from "../../tests/_fake_agent.ts";
import { deferred } from "../../tests/_fake_launcher.ts";
import type { CallRequest } from "../agent/call.ts";
import { cannotAllocate } from "../agent/call_build_error.ts";
import { APIError, serverTooBusy } from "../models/api_error.ts";
import { invokeFn } from "./invoke.ts";

const URL = "http://localhost:8080/invoke/FN1";

function okAgent(headers: HeadersInit = {}, body = "hello") {
  return new ScriptedAgent(() =>
    Promise.resolve({
      status: 200,
      headers: new Headers(headers),
      body: new Response(body).body,
      done: Promise.resolve(successOutcome),
    })
  );
}

Deno.test("invokeFn() answers 404 for an unknown fn or app", async (t) => {
  await t.step("fn", async () => {
    const ctx = routeContext(URL, { fnID: "nope" }, { agent: okAgent() });
    await assert.rejects(invokeFn(new Request(URL, { method: "POST" }), ctx), /Fn not found/);
  });
  await t.step("app", async () => {
    const lookup = fixedLookup([], [testFn], []);
    const ctx = routeContext(URL, { fnID: "FN1" }, { agent: okAgent(), lookup });
    await assert.rejects(invokeFn(new Request(URL, { method: "POST" }), ctx), /App not found/);
  });
});

Deno.test("invokeFn() streams the function's answer with its headers and Fn-Call-Id", async () => {
  const agent = okAgent({ "Fn-Http-Status": "404", "X-Custom": "1", "Content-Type": "text/plain" });
  const ctx = routeContext(URL, { fnID: "FN1" }, { agent });
  const res = await invokeFn(
    new Request(URL, { method: "POST", body: "in", headers: { "X-In": "2", Host: "h" } }),
    ctx,
  );
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "hello");
  assert.equal(res.headers.get("x-custom"), "1");
  assert.equal(res.headers.get("fn-http-status"), "404");
  const call = agent.calls[0]!;
  assert.equal(res.headers.get("fn-call-id"), call.id);
  assert.equal(call.id.length, 26);
  assert.equal(call.app, testApp);
  assert.equal(call.type, "sync");
  assert.equal(call.headers.get("x-in"), "2");
  assert.equal(call.headers.get("host"), null);
});

Deno.test("invokeFn() maps agent errors with only Content-Type, Fn-Call-Id, Retry-After", async () => {
  const agent = new ScriptedAgent(() => Promise.reject(serverTooBusy()));
  const res = await invokeFn(
    new Request(URL, { method: "POST" }),
    routeContext(URL, { fnID: "FN1" }, { agent }),
  );
  assert.equal(res.status, 503);
  assert.deepEqual([...res.headers.keys()].sort(), ["content-type", "fn-call-id", "retry-after"]);
  assert.equal(res.headers.get("retry-after"), "15");
  assert.deepEqual(await res.json(), { message: "Timed out - server too busy" });
});

Deno.test("invokeFn() answers 413 when a chunked body grows past FN_MAX_REQUEST_SIZE", async () => {
  const agent = new ScriptedAgent(async (call: CallRequest) => {
    // The function reads the body; the limiter breaks it, the transport fails.
    try {
      await new Response(call.body).arrayBuffer();
    } catch {
      throw new APIError(502, "error receiving function response");
    }
    throw new Error("the body should have failed");
  });
  const body = ReadableStream.from([new Uint8Array(600), new Uint8Array(600)]);
  const res = await invokeFn(
    new Request(URL, { method: "POST", body }),
    routeContext(URL, { fnID: "FN1" }, { agent, maxRequestBytes: 1000 }),
  );
  assert.equal(res.status, 413);
  assert.match((await res.json()).message, /max 1000/);
  assert.ok(res.headers.get("fn-call-id"));
});

Deno.test("invokeFn() answers 202 for a detached call and runs it to completion", async () => {
  const finished = deferred<string>();
  const agent = new ScriptedAgent(async (call) => {
    const input = await new Response(call.body).text();
    return {
      status: 200,
      headers: new Headers(),
      body: new Response("ignored").body,
      done: Promise.resolve(successOutcome).finally(() => finished.resolve(input)),
    };
  });
  const res = await invokeFn(
    new Request(URL, {
      method: "POST",
      body: "payload",
      headers: { "Fn-Invoke-Type": "detached" },
    }),
    routeContext(URL, { fnID: "FN1" }, { agent }),
  );
  assert.equal(res.status, 202);
  assert.equal(await res.text(), "");
  assert.equal(await finished.promise, "payload");
  assert.equal(agent.calls[0]!.type, "detached");
  assert.equal(agent.calls[0]!.signal.aborted, false);
  assert.equal(res.headers.get("fn-call-id"), agent.calls[0]!.id);
});

Deno.test("invokeFn() treats other Fn-Invoke-Type values as sync", async () => {
  const agent = okAgent();
  const res = await invokeFn(
    new Request(URL, { method: "POST", headers: { "Fn-Invoke-Type": "Detached" } }),
    routeContext(URL, { fnID: "FN1" }, { agent }),
  );
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(agent.calls[0]!.type, "sync");
});

Deno.test("invokeFn() gives the call the client's signal", async () => {
  const ctl = new AbortController();
  const agent = new ScriptedAgent((call) =>
    new Promise((_, reject) => {
      call.signal.addEventListener("abort", () => reject(call.signal.reason));
      ctl.abort(); // the client leaves while the call waits
    })
  );
  const pending = invokeFn(
    new Request(URL, { method: "POST", signal: ctl.signal }),
    routeContext(URL, { fnID: "FN1" }, { agent }),
  );
  assert.equal((await pending).status, 444);
});

Deno.test("invokeFn() answers with a stdin/stdout-format function's own status", async () => {
  const httpFn = { ...testFn, annotations: { "fnd.io/format": "http" } };
  const agent = new ScriptedAgent(() =>
    Promise.resolve({
      status: 404,
      headers: new Headers({ "X-Fn-Format": "http" }),
      body: new Response("nope").body,
      done: Promise.resolve(successOutcome),
    })
  );
  const res = await invokeFn(
    new Request(URL, { method: "POST" }),
    routeContext(URL, { fnID: "FN1" }, { agent, lookup: fixedLookup([testApp], [httpFn]) }),
  );
  assert.equal(res.status, 404);
  assert.equal(await res.text(), "nope");
  assert.equal(res.headers.get("x-fn-format"), "http");
});

Deno.test("invokeFn() sends no Fn-Call-Id when the call could not even be built", async () => {
  const agent = new ScriptedAgent(() => Promise.reject(cannotAllocate()));
  const res = await invokeFn(
    new Request(URL, { method: "POST" }),
    routeContext(URL, { fnID: "FN1" }, { agent }),
  );
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("fn-call-id"), null);
  assert.deepEqual(await res.json(), { message: "Requested CPU/Memory cannot be allocated" });
});
