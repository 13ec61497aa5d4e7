/**
 * The /v2/triggers endpoints and the runner's trigger lookup over real HTTP against a
 * started fnd process (SQLite).
 */

import assert from "node:assert/strict";
import { assertError, client } from "./_http.ts";
import { startFnd } from "./_server.ts";

/** The /v2 API is the same on full and api nodes; api nodes need no Docker. */
const API_NODE = { env: { FN_NODE_TYPE: "api" } };

const HTTP_KEY = "fnproject.io/trigger/httpEndpoint";

async function setup(api: ReturnType<typeof client>) {
  const app = (await api.post("/v2/apps", { name: "app" })).json;
  const other = (await api.post("/v2/apps", { name: "other" })).json;
  const f1 = (await api.post("/v2/fns", { app_id: app.id, name: "f1", image: "i" })).json;
  const f2 = (await api.post("/v2/fns", { app_id: app.id, name: "f2", image: "i" })).json;
  const fo = (await api.post("/v2/fns", { app_id: other.id, name: "fo", image: "i" })).json;
  return { app, other, f1, f2, fo };
}

Deno.test("POST /v2/triggers", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const { app, f1, f2, fo } = await setup(api);
  const base = { "app_id": app.id, "fn_id": f1.id, type: "http" };

  await t.step("creates a trigger with its HTTP endpoint, in Fn's key order", async () => {
    const res = await api.post("/v2/triggers", {
      ...base,
      name: "t1",
      source: "/probe",
      annotations: { k: 1 },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json), [
      "id",
      "name",
      "app_id",
      "fn_id",
      "created_at",
      "updated_at",
      "type",
      "source",
      "annotations",
    ]);
    assert.deepEqual(res.json.annotations, {
      k: 1,
      [HTTP_KEY]: `http://127.0.0.1:${fnd.port}/t/app/probe`,
    });
  });

  await t.step("the source / gives an endpoint ending in /t/<app>/", async () => {
    const res = await api.post("/v2/triggers", { ...base, name: "root", source: "/" });
    assert.equal(res.json.annotations[HTTP_KEY], `http://127.0.0.1:${fnd.port}/t/app/`);
  });

  await t.step("accepts any source that starts with /", async () => {
    for (const [i, source] of ["/a/b/", "/p?q=1 x"].entries()) {
      const res = await api.post("/v2/triggers", { ...base, name: `s${i}`, source });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.source, source);
    }
  });

  await t.step("trigger names are unique per fn, not per app", async () => {
    const res = await api.post("/v2/triggers", {
      ...base,
      fn_id: f2.id,
      name: "t1",
      source: "/other",
    });
    assert.equal(res.status, 200, res.text);
  });

  await t.step("accepts Go's zero time as created_at", async () => {
    const res = await api.post("/v2/triggers", {
      ...base,
      name: "zero",
      source: "/zero",
      created_at: "0001-01-01T00:00:00Z",
    });
    assert.equal(res.status, 200, res.text);
  });

  const ok = { ...base, name: "tx", source: "/x" };
  const cases: [string, unknown, number, string][] = [
    ["malformed JSON", "{", 400, "Invalid JSON"],
    ["an unparseable created_at", { ...ok, created_at: "now" }, 400, "Invalid JSON"],
    ["an id", { ...ok, id: "x" }, 400, "ID cannot be provided for Trigger creation"],
    [
      "a created_at",
      { ...ok, created_at: "2026-01-01T00:00:00Z" },
      400,
      "Trigger Created At Provided for Create",
    ],
    [
      "an empty created_at (the epoch)",
      { ...ok, created_at: "" },
      400,
      "Trigger Created At Provided for Create",
    ],
    [
      "an updated_at",
      { ...ok, updated_at: "2026-01-01T00:00:00.000Z" },
      400,
      "Trigger ID Provided for Create",
    ],
    ["no app_id", { ...ok, app_id: "" }, 400, "Missing App ID on Trigger"],
    ["no name", { ...ok, name: "" }, 400, "Missing name on Trigger"],
    [
      "a long name",
      { ...ok, name: "t".repeat(256) },
      400,
      "Trigger name must be 255 characters or less",
    ],
    ["a name with a dot", { ...ok, name: "t.1" }, 400, "Invalid name for Trigger"],
    ["no fn_id", { ...ok, fn_id: "" }, 400, "Missing Fn ID on Trigger"],
    ["type HTTP", { ...ok, type: "HTTP" }, 400, "Trigger Type Not Supported"],
    ["no source", { ...ok, source: "" }, 400, "Missing Trigger Source"],
    ["a source without /", { ...ok, source: "x" }, 400, "Missing Trigger Source Prefix '/'"],
    [
      "a long annotation value",
      { ...ok, annotations: { k: "x".repeat(600) } },
      400,
      "Invalid annotation value length, annotation values may not be larger than 512 bytes when serialized as JSON",
    ],
    ["an unknown app", { ...ok, app_id: "nope" }, 404, "App not found"],
    ["an unknown fn", { ...ok, fn_id: "nope" }, 404, "Fn not found"],
    [
      "a fn of another app",
      { ...ok, fn_id: fo.id },
      400,
      "Invalid Fn ID - not owned by specified app",
    ],
    [
      "a taken source",
      { ...ok, source: "/probe" },
      409,
      "Trigger with the same type and source exists on this app",
    ],
    ["a taken name", { ...ok, name: "t1" }, 409, "Trigger already exists"],
  ];
  for (const [what, body, status, message] of cases) {
    await t.step(`gives ${status} ${message} for ${what}`, async () => {
      assertError(await api.post("/v2/triggers", body), status, message);
    });
  }
});

Deno.test("GET /v2/triggers and /v2/triggers/{triggerID}", async (t) => {
  await using fnd = await startFnd({
    env: { FN_NODE_TYPE: "api", FN_PUBLIC_LB_URL: "https://fn.example.com/base/" },
  });
  const api = client(fnd.url);
  const { app, f1, f2 } = await setup(api);
  for (let i = 0; i < 7; i++) {
    const fn = i % 2 === 0 ? f1 : f2;
    const res = await api.post("/v2/triggers", {
      app_id: app.id,
      fn_id: fn.id,
      name: `t${i}`,
      type: "http",
      source: `/s${i}`,
    });
    assert.equal(res.status, 200, res.text);
  }

  await t.step("gives 400 Missing App ID on Trigger once (no second document)", async () => {
    assertError(await api.get("/v2/triggers"), 400, "Missing App ID on Trigger");
  });

  await t.step("lists nothing for an unknown app", async () => {
    assert.equal((await api.get("/v2/triggers?app_id=nope")).text, '{"items":[]}');
  });

  await t.step("pages with endpoints built from FN_PUBLIC_LB_URL", async () => {
    const first = await api.get(`/v2/triggers?app_id=${app.id}&per_page=4`);
    assert.equal(first.json.items.length, 4);
    const second = await api.get(
      `/v2/triggers?app_id=${app.id}&per_page=4&cursor=${first.json.next_cursor}`,
    );
    assert.equal(second.json.next_cursor, undefined);
    const all = [...first.json.items, ...second.json.items];
    assert.deepEqual(all.map((t) => t.name), ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    for (const trig of all) {
      assert.equal(
        trig.annotations[HTTP_KEY],
        `https://fn.example.com/base/t/app/${trig.source.slice(1)}`,
      );
    }
  });

  await t.step("filters by fn_id and name", async () => {
    const byFn = await api.get(`/v2/triggers?app_id=${app.id}&fn_id=${f2.id}`);
    assert.deepEqual(byFn.json.items.map((t: { name: string }) => t.name), ["t1", "t3", "t5"]);
    const byName = await api.get(`/v2/triggers?app_id=${app.id}&fn_id=${f2.id}&name=t3`);
    assert.deepEqual(byName.json.items.map((t: { name: string }) => t.name), ["t3"]);
  });

  await t.step("GET by id adds the endpoint; unknown ids give 404 Trigger not found", async () => {
    const listed = (await api.get(`/v2/triggers?app_id=${app.id}&name=t0`)).json.items[0];
    assert.deepEqual((await api.get(`/v2/triggers/${listed.id}`)).json, listed);
    assertError(await api.get("/v2/triggers/nope"), 404, "Trigger not found");
  });

  await t.step("the fn's invoke endpoint uses FN_PUBLIC_LB_URL too", async () => {
    const fn = (await api.get(`/v2/fns/${f1.id}`)).json;
    assert.equal(
      fn.annotations["fnproject.io/fn/invokeEndpoint"],
      `https://fn.example.com/base/invoke/${f1.id}`,
    );
  });

  await t.step("the runner route finds a trigger by source after a double slash", async () => {
    const res = await api.get(`/v2/runner/apps/${app.id}/triggerBySource/http//s2`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, "t2");
    assert.equal(res.json.annotations, undefined, "no endpoint annotation on the runner route");
    assertError(
      await api.get(`/v2/runner/apps/${app.id}/triggerBySource/http/s2`),
      404,
      "Trigger not found",
    );
    assertError(
      await api.get(`/v2/runner/apps/${app.id}/triggerBySource/http//nope`),
      404,
      "Trigger not found",
    );
  });
});

Deno.test("PUT and DELETE /v2/triggers/{triggerID}", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const { app, f1, f2, fo } = await setup(api);
  const mk = async (name: string, source: string, fnId = f1.id) =>
    (await api.post("/v2/triggers", { app_id: app.id, fn_id: fnId, name, type: "http", source }))
      .json;
  const t1 = await mk("t1", "/one");
  await mk("t2", "/two");
  await mk("t3", "/three", f2.id);
  const path = `/v2/triggers/${t1.id}`;

  await t.step("replaces name, source and fn_id, merges annotations, no endpoint", async () => {
    const res = await api.put(path, {
      name: "renamed",
      source: "/uno",
      fn_id: f2.id,
      annotations: { k: 1 },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.name, res.json.source, res.json.fn_id], ["renamed", "/uno", f2.id]);
    assert.deepEqual(res.json.annotations, { k: 1 });
    const read = (await api.get(path)).json;
    assert.equal(read.source, "/uno");
    assert.equal(read.annotations.k, 1);
  });

  await t.step("ignores type and app_id and keeps updated_at on a no-op", async () => {
    const before = (await api.put(path, {})).json;
    const res = await api.put(path, { type: "grpc", app_id: "other", name: "", source: "" });
    assert.deepEqual(res.json, before);
    assert.equal(res.json.app_id, app.id);
  });

  const cases: [string, unknown, number, string][] = [
    ["a mismatched id", { id: "x" }, 400, "ID in path does not match ID in body"],
    ["a bad name", { name: "a b" }, 400, "Invalid name for Trigger"],
    ["a source without /", { source: "x" }, 400, "Missing Trigger Source Prefix '/'"],
    ["an unknown fn (fnd checks, Fn did not)", { fn_id: "nope" }, 404, "Fn not found"],
    [
      "a fn of another app (fnd checks)",
      { fn_id: fo.id },
      400,
      "Invalid Fn ID - not owned by specified app",
    ],
    [
      "a taken source (fnd checks)",
      { source: "/two" },
      409,
      "Trigger with the same type and source exists on this app",
    ],
    ["a name taken on the same fn (Fn: 500)", { name: "t3" }, 409, "Trigger already exists"],
  ];
  for (const [what, body, status, message] of cases) {
    await t.step(`gives ${status} ${message} for ${what}`, async () => {
      assertError(await api.put(path, body), status, message);
    });
  }

  await t.step("gives 404 Trigger not found for an unknown trigger", async () => {
    assertError(await api.put("/v2/triggers/nope", {}), 404, "Trigger not found");
  });

  await t.step("DELETE answers 204, then 404", async () => {
    const res = await api.delete(path);
    assert.equal(res.status, 204);
    assert.equal(res.text, "");
    assertError(await api.get(path), 404, "Trigger not found");
    assertError(await api.delete(path), 404, "Trigger not found");
  });
});

Deno.test("GET /v2/triggers pages through names that repeat across fns", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const app = (await api.post("/v2/apps", { name: "app" })).json;
  const made: string[] = [];
  for (const fnName of ["f1", "f2", "f3"]) {
    const fn = (await api.post("/v2/fns", { app_id: app.id, name: fnName, image: "i" })).json;
    for (const name of ["a", "b"]) {
      const source = `/${fnName}${name}`;
      const res = await api.post("/v2/triggers", {
        app_id: app.id,
        fn_id: fn.id,
        name,
        type: "http",
        source,
      });
      made.push(res.json.id);
    }
  }
  const list = (query: string) => api.get(`/v2/triggers?app_id=${app.id}&${query}`);

  await t.step("per_page=2 gives every trigger once, in name order", async () => {
    const pages: string[][] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const res = await list(`per_page=2${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(res.status, 200, res.text);
      pages.push(res.json.items.map((x: { name: string; source: string }) => x.source));
      if (res.json.next_cursor === undefined) break;
      cursor = res.json.next_cursor;
    }
    assert.deepEqual(pages, [["/f1a", "/f2a"], ["/f3a", "/f1b"], ["/f2b", "/f3b"], []]);
  });

  await t.step("a cursor is Fn's plain name cursor where the name does not repeat", async () => {
    const res = await list("per_page=3");
    assert.equal(res.json.next_cursor, "YQ", "base64url of 'a'");
    assert.equal((await list("per_page=6")).json.next_cursor, "Yg", "base64url of 'b'");
  });

  await t.step("Fn's plain name cursor lists the names after it", async () => {
    const res = await list("cursor=YQ");
    assert.deepEqual(
      res.json.items.map((x: { id: string }) => x.id),
      [1, 3, 5].map((i) => made[i]),
    );
  });

  await t.step("a cursor that is not base64url gives 400", async () => {
    const res = await list("cursor=!!");
    assert.equal(res.status, 400);
  });
});
