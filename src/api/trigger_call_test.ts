import assert from "node:assert/strict";
import {
  fixedLookup,
  routeContext,
  ScriptedAgent,
  successOutcome,
  testApp,
  testFn,
  testTrigger,
} from "../../tests/_fake_agent.ts";
import { callTrigger } from "./trigger_call.ts";

function agentAnswering(headers: HeadersInit, body: string | null = "out") {
  return new ScriptedAgent(() =>
    Promise.resolve({
      status: 200,
      headers: new Headers(headers),
      body: body === null ? null : new Response(body).body,
      done: Promise.resolve(successOutcome),
    })
  );
}

Deno.test("callTrigger() looks up app, trigger and fn, answering 404s in that order", async (t) => {
  const url = "http://localhost/t/myapp/probe";
  const cases: [string, ReturnType<typeof fixedLookup>, Record<string, string>, RegExp][] = [
    ["app", fixedLookup(), { appName: "nope", source: "/probe" }, /App not found/],
    ["trigger", fixedLookup(), { appName: "myapp", source: "/probe/" }, /Trigger not found/],
    [
      "fn",
      fixedLookup([testApp], [], [testTrigger]),
      { appName: "myapp", source: "/probe" },
      /Fn not found/,
    ],
  ];
  for (const [name, lookup, params, want] of cases) {
    await t.step(name, async () => {
      const ctx = routeContext(url, params, { agent: agentAnswering({}), lookup });
      await assert.rejects(callTrigger(new Request(url), ctx), want);
    });
  }
});

Deno.test("callTrigger() uses source / when the path has none", async () => {
  const root = { ...testTrigger, id: "TR2", source: "/" };
  const agent = agentAnswering({});
  const ctx = routeContext("http://localhost/t/myapp", { appName: "myapp" }, {
    agent,
    lookup: fixedLookup([testApp], [testFn], [root]),
  });
  const res = await callTrigger(new Request("http://localhost/t/myapp"), ctx);
  await res.body?.cancel();
  assert.equal(res.status, 200);
  assert.equal(agent.calls[0]!.triggerId, "TR2");
});

Deno.test("callTrigger() wraps the request and unwraps the answer", async () => {
  const agent = agentAnswering({
    "Fn-Http-Status": "418",
    "Fn-Http-H-X-Foo": "bar",
    "X-Drop": "y",
    "Fn-Fdk-Version": "zz",
    "Content-Type": "text/plain",
  });
  const url = "http://localhost:8080/t/myapp/probe?x=1";
  const ctx = routeContext(url, { appName: "myapp", source: "/probe" }, { agent });
  const res = await callTrigger(
    new Request(url, { method: "PATCH", headers: { "X-In": "1", "Fn-Invoke-Type": "detached" } }),
    ctx,
  );
  assert.equal(res.status, 418);
  assert.equal(await res.text(), "out");
  assert.deepEqual([...res.headers.keys()].sort(), ["content-type", "fn-call-id", "x-foo"]);
  const call = agent.calls[0]!;
  assert.equal(call.type, "sync", "triggers ignore Fn-Invoke-Type");
  assert.equal(call.method, "PATCH");
  assert.equal(call.headers.get("fn-http-h-x-in"), "1");
  assert.equal(call.headers.get("fn-http-request-url"), url);
  assert.equal(call.headers.get("fn-intent"), "httprequest");
});

Deno.test("callTrigger() sends no body with a 204 from the function", async () => {
  const agent = agentAnswering({ "Fn-Http-Status": "204" }, "ignored");
  const url = "http://localhost/t/myapp/probe";
  const ctx = routeContext(url, { appName: "myapp", source: "/probe" }, { agent });
  const res = await callTrigger(new Request(url), ctx);
  assert.equal(res.status, 204);
  assert.equal(res.body, null);
});

Deno.test("callTrigger() passes a stdin/stdout-format function's request and answer as they are", async () => {
  const jsonFn = { ...testFn, annotations: { "fnd.io/format": "json" } };
  const agent = new ScriptedAgent(() =>
    Promise.resolve({
      status: 201,
      headers: new Headers({ "X-Fn-Format": "json", "Content-Type": "text/plain" }),
      body: new Response("made").body,
      done: Promise.resolve(successOutcome),
    })
  );
  const url = "http://localhost/t/myapp/probe";
  const ctx = routeContext(url, { appName: "myapp", source: "/probe" }, {
    agent,
    lookup: fixedLookup([testApp], [jsonFn], [testTrigger]),
  });
  const res = await callTrigger(new Request(url, { headers: { "X-In": "1" } }), ctx);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("x-fn-format"), "json");
  assert.equal(await res.text(), "made");
  assert.equal(agent.calls[0]!.headers.get("x-in"), "1");
  assert.equal(agent.calls[0]!.headers.get("fn-http-h-x-in"), null);
});
