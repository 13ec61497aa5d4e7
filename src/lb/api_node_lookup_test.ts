import assert from "node:assert/strict";
import { APIError } from "../models/api_error.ts";
import { ApiNodeLookup } from "./api_node_lookup.ts";

const app = {
  id: "APP1",
  name: "myapp",
  config: { A: "1" },
  "syslog_url": "tcp://x:1",
  "created_at": "2024-01-01T00:00:00.000Z",
  "updated_at": "2024-01-01T00:00:00.000Z",
};
const fn = {
  id: "FN1",
  name: "f",
  "app_id": "APP1",
  image: "img:1",
  memory: 256,
  timeout: 10,
  "idle_timeout": 5,
  config: { B: "2" },
  annotations: { "fnd.io/format": "json", big: "@big@" },
  "created_at": "2024-01-01T00:00:00.000Z",
  "updated_at": "2024-01-01T00:00:00.000Z",
};
const trigger = {
  id: "TR1",
  name: "t",
  "app_id": "APP1",
  "fn_id": "FN1",
  type: "http",
  source: "/probe",
  "created_at": "2024-01-01T00:00:00.000Z",
  "updated_at": "2024-01-01T00:00:00.000Z",
};

/** A stand-in API node that counts requests per path. */
function apiNode(failFirst = 0) {
  const hits = new Map<string, number>();
  let failures = failFirst;
  const json = (status: number, body: unknown) =>
    new Response(
      // A number JSON.stringify cannot write, as an API node stores and returns it.
      JSON.stringify(body).replace('"@big@"', "12345678901234567890"),
      { status, headers: { "content-type": "application/json" } },
    );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    const key = url.pathname + url.search;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    if (failures > 0) {
      failures--;
      return json(500, { message: "internal server error" });
    }
    switch (key) {
      case "/v2/apps?name=myapp":
        return json(200, { items: [app] });
      case "/v2/apps?name=nope":
        return json(200, { items: [] });
      case "/v2/apps/APP1":
        return json(200, app);
      case "/v2/fns/FN1":
        return json(200, fn);
      case "/v2/runner/apps/APP1/triggerBySource/http//probe":
        return json(200, trigger);
      default:
        return json(404, { message: "Fn not found" });
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}/ignored/path`, hits, server };
}

Deno.test("ApiNodeLookup reads apps, fns and triggers from an API node", async () => {
  const api = apiNode();
  try {
    const lookup = new ApiNodeLookup(api.url);
    const a = await lookup.getAppByName("myapp");
    assert.equal(a.id, "APP1");
    assert.equal(a.syslogUrl, "tcp://x:1");
    assert.deepEqual((await lookup.getAppById("APP1")).config, { A: "1" });
    const f = await lookup.getFnById("FN1");
    assert.deepEqual(
      [f.appId, f.image, f.memoryMb, f.timeoutSeconds, f.idleTimeoutSeconds],
      ["APP1", "img:1", 256, 10, 5],
    );
    assert.equal(f.annotations["fnd.io/format"], "json");
    assert.equal(JSON.stringify(f.annotations.big), "12345678901234567890");
    const t = await lookup.getTriggerBySource("APP1", "http", "/probe");
    assert.equal(t.fnId, "FN1");
  } finally {
    await api.server.shutdown();
  }
});

Deno.test("ApiNodeLookup keeps the API node's 404 and caches only successes", async () => {
  const api = apiNode();
  try {
    const lookup = new ApiNodeLookup(api.url);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        lookup.getFnById("NOPE"),
        (e) => e instanceof APIError && e.status === 404 && e.message === "Fn not found",
      );
      await assert.rejects(
        lookup.getAppByName("nope"),
        (e) => e instanceof APIError && e.status === 404 && e.message === "App not found",
      );
    }
    assert.equal(api.hits.get("/v2/fns/NOPE"), 2);
    await Promise.all(Array.from({ length: 5 }, () => lookup.getFnById("FN1")));
    await lookup.getFnById("FN1");
    assert.equal(api.hits.get("/v2/fns/FN1"), 1);
  } finally {
    await api.server.shutdown();
  }
});

Deno.test("ApiNodeLookup retries server errors", async () => {
  const api = apiNode(2);
  try {
    const lookup = new ApiNodeLookup(api.url);
    assert.equal((await lookup.getAppById("APP1")).name, "myapp");
    assert.equal(api.hits.get("/v2/apps/APP1"), 3);
  } finally {
    await api.server.shutdown();
  }
});

Deno.test("ApiNodeLookup needs a host", () => {
  assert.throws(() => new ApiNodeLookup("http://"), TypeError);
});
