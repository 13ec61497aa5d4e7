/**
 * fnd's HTTP conventions over real HTTP (`api-v2.md` §1, §9): router answers,
 * redirects, size limits, CORS, the admin routes and routes per node type.
 */

import assert from "node:assert/strict";
import { assertError, client, http } from "./_http.ts";
import { startFnd } from "./_server.ts";

Deno.test("fnd's router answers like Fn's", async (t) => {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api" } });
  const api = client(fnd.url);

  await t.step("GET / says hello", async () => {
    const res = await api.get("/");
    assert.equal(res.text, '{"goto":"https://github.com/fnproject/fn","hello":"world!"}');
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  });

  await t.step("GET /version reports Fn's version and fnd's own", async () => {
    const res = await api.get("/version");
    assert.equal(res.json.version, "0.3.753");
    assert.equal(typeof res.json.fnd_version, "string");
  });

  await t.step("GET /metrics serves the Prometheus text format", async () => {
    const res = await api.get("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  });

  await t.step("unknown paths give 404 Path not found: <METHOD> <path>", async () => {
    assertError(await api.get("/v2/nothing?x=1"), 404, "Path not found: GET /v2/nothing");
    assertError(await api.request("DELETE", "/nope/%C3%BC"), 404, "Path not found: DELETE /nope/ü");
    assertError(await api.get("/v2//apps"), 404, "Path not found: GET /v2//apps");
  });

  await t.step("a known path with another method gives 405 Method not allowed", async () => {
    assertError(await api.request("PATCH", "/v2/apps"), 405, "Method not allowed: PATCH /v2/apps");
    assertError(
      await api.request("POST", "/v2/apps/x"),
      405,
      "Method not allowed: POST /v2/apps/x",
    );
    assertError(await api.request("DELETE", "/v2/fns"), 405, "Method not allowed: DELETE /v2/fns");
  });

  await t.step("HEAD is not GET: 405", async () => {
    const res = await api.request("HEAD", "/v2/apps");
    assert.equal(res.status, 405);
  });

  await t.step("a trailing slash redirects: 301 for GET, 307 otherwise, query kept", async () => {
    const get = await api.get("/v2/apps/?per_page=2&name=x");
    assert.equal(get.status, 301);
    assert.equal(get.headers.get("location"), "/v2/apps?per_page=2&name=x");
    const post = await api.post("/v2/apps/", { name: "a" });
    assert.equal(post.status, 307);
    assert.equal(post.headers.get("location"), "/v2/apps");
    const put = await api.put("/v2/apps/x/", {});
    assert.equal(put.status, 307);
    assert.equal(put.headers.get("location"), "/v2/apps/x");
  });

  await t.step("a followed 307 keeps the POST body", async () => {
    const res = await api.post("/v2/apps/", { name: "followed" }, { redirect: "follow" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, "followed");
  });

  await t.step("an api node has no invoke or trigger routes", async () => {
    assertError(await api.post("/invoke/x"), 404, "Path not found: POST /invoke/x");
    assertError(await api.get("/t/app/x"), 404, "Path not found: GET /t/app/x");
  });
});

Deno.test("a full node serves /v2 and the invoke and trigger routes", async () => {
  await using fnd = await startFnd();
  const api = client(fnd.url);
  assert.equal((await api.get("/v2/apps")).status, 200);
  assertError(await api.post("/invoke/nope"), 404, "Fn not found");
  assertError(await api.get("/invoke/nope"), 405, "Method not allowed: GET /invoke/nope");
  assertError(await api.post("/invoke/"), 404, "Path not found: POST /invoke/");
  assertError(await api.request("PATCH", "/t/nope/x"), 404, "App not found");
  assertError(await api.get("/t/"), 404, "Path not found: GET /t/");
});

Deno.test("FN_MAX_REQUEST_SIZE refuses large bodies with 413", async (t) => {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api", FN_MAX_REQUEST_SIZE: "2000" } });
  const api = client(fnd.url);
  const body = JSON.stringify({ name: "big", config: { k: "x".repeat(2969) } });
  assert.equal(new TextEncoder().encode(body).length, 3001);

  await t.step("a declared Content-Length over the limit: nothing is read", async () => {
    assertError(
      await api.post("/v2/apps", body),
      413,
      "Content-Length too large for this server, 3001 > max 2000",
    );
  });

  await t.step("on any route, including unknown ones", async () => {
    assertError(
      await api.request("PUT", "/nope", { body }),
      413,
      "Content-Length too large for this server, 3001 > max 2000",
    );
  });

  await t.step("a chunked body that grows past the limit (Fn: 400 Invalid JSON)", async () => {
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 500) controller.enqueue(bytes.slice(i, i + 500));
        controller.close();
      },
    });
    assertError(
      await api.post("/v2/apps", stream),
      413,
      "Request body too large for this server, more than max 2000 bytes were sent",
    );
  });

  await t.step("bodies within the limit pass, chunked or not", async () => {
    const small = JSON.stringify({ name: "small", config: { k: "x".repeat(1900) } });
    assert.equal((await api.post("/v2/apps", small)).status, 200);
    const stream = ReadableStream.from([new TextEncoder().encode('{"name":"chunked"}')]);
    assert.equal((await api.post("/v2/apps", stream)).status, 200);
  });

  await t.step("nothing was stored by refused requests", async () => {
    assert.deepEqual((await api.get("/v2/apps")).json.items.map((a: { name: string }) => a.name), [
      "chunked",
      "small",
    ]);
  });
});

Deno.test("CORS is off by default", async () => {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api" } });
  const res = await http(fnd.url, "GET", "/v2/apps", { headers: { origin: "http://a.example" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  const pre = await http(fnd.url, "OPTIONS", "/v2/apps", {
    headers: { origin: "http://a.example" },
  });
  assertError(pre, 405, "Method not allowed: OPTIONS /v2/apps");
});

Deno.test("CORS with FN_API_CORS_ORIGINS lists allowed origins", async (t) => {
  await using fnd = await startFnd({
    env: { FN_NODE_TYPE: "api", FN_API_CORS_ORIGINS: "http://a.example, http://b.example" },
  });

  await t.step("a request without Origin passes untouched", async () => {
    const res = await http(fnd.url, "GET", "/v2/apps");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });

  await t.step("a disallowed Origin gets 403 with an empty body", async () => {
    const res = await http(fnd.url, "GET", "/v2/apps", {
      headers: { origin: "http://evil.example" },
    });
    assert.equal(res.status, 403);
    assert.equal(res.text, "");
  });

  await t.step("an allowed Origin gets Allow-Origin and Vary on every answer", async () => {
    const res = await http(fnd.url, "GET", "/v2/apps", { headers: { origin: "http://b.example" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "http://b.example");
    assert.equal(res.headers.get("vary"), "Origin");
    const missing = await http(fnd.url, "GET", "/v2/nope", {
      headers: { origin: "http://a.example" },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), "http://a.example");
  });

  await t.step("OPTIONS with an allowed Origin is a preflight: 200, empty", async () => {
    const res = await http(fnd.url, "OPTIONS", "/anything", {
      headers: { origin: "http://a.example", "access-control-request-method": "PUT" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
    assert.equal(res.headers.get("access-control-allow-origin"), "http://a.example");
    assert.equal(res.headers.get("access-control-allow-methods"), "GET,POST,PUT,HEAD,DELETE");
    assert.equal(
      res.headers.get("access-control-allow-headers"),
      "Origin,Content-Length,Content-Type",
    );
    assert.equal(res.headers.get("access-control-max-age"), "43200");
    assert.equal(
      res.headers.get("vary"),
      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
  });
});

Deno.test("CORS with FN_API_CORS_ORIGINS=* allows every origin", async () => {
  await using fnd = await startFnd({
    env: { FN_NODE_TYPE: "api", FN_API_CORS_ORIGINS: "*", FN_API_CORS_HEADERS: "X-A, X-B" },
  });
  const res = await http(fnd.url, "GET", "/", { headers: { origin: "http://any.example" } });
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const pre = await http(fnd.url, "OPTIONS", "/v2/apps", {
    headers: { origin: "http://any.example" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.equal(pre.headers.get("access-control-allow-headers"), "X-A,X-B");
  assert.equal(
    pre.headers.get("vary"),
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  );
});
