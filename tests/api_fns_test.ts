/**
 * The /v2/fns endpoints over real HTTP against a started fnd process (SQLite).
 */

import assert from "node:assert/strict";
import { assertError, client } from "./_http.ts";
import { startFnd } from "./_server.ts";

/** The /v2 API is the same on full and api nodes; api nodes need no Docker. */
const API_NODE = { env: { FN_NODE_TYPE: "api" } };

const INVOKE_KEY = "fnproject.io/fn/invokeEndpoint";

Deno.test("POST /v2/fns", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const app = (await api.post("/v2/apps", { name: "app", shape: "GENERIC_ARM" })).json;
  const other = (await api.post("/v2/apps", { name: "other" })).json;

  await t.step("creates a fn with defaults, the app's shape and its invoke endpoint", async () => {
    const res = await api.post("/v2/fns", {
      app_id: app.id,
      name: "f1",
      image: "fnproject/hello:0.0.1",
      shape: "GENERIC_X86",
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json), [
      "id",
      "name",
      "app_id",
      "image",
      "memory",
      "timeout",
      "idle_timeout",
      "config",
      "annotations",
      "created_at",
      "shape",
      "updated_at",
    ]);
    assert.deepEqual(
      [res.json.memory, res.json.timeout, res.json.idle_timeout, res.json.shape],
      [128, 30, 30, "GENERIC_ARM"],
    );
    assert.deepEqual(res.json.config, {});
    assert.deepEqual(res.json.annotations, {
      [INVOKE_KEY]: `http://127.0.0.1:${fnd.port}/invoke/${res.json.id}`,
    });
  });

  await t.step("keeps given resources, config and annotations", async () => {
    const res = await api.post("/v2/fns", {
      app_id: other.id,
      name: "Az09-_.~$&+:=@",
      image: "i",
      memory: 8192,
      timeout: 300,
      idle_timeout: 3600,
      config: { B: "1", a: "" },
      annotations: { k: "v" },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.memory, res.json.timeout, res.json.idle_timeout], [8192, 300, 3600]);
    assert.deepEqual(res.json.config, { B: "1", a: "" });
    assert.equal(res.json.annotations.k, "v");
    assert.equal(res.json.shape, undefined);
  });

  await t.step("gives 409 Fn with specified name already exists", async () => {
    assertError(
      await api.post("/v2/fns", { app_id: app.id, name: "f1", image: "i" }),
      409,
      "Fn with specified name already exists",
    );
    // The same name in another app is fine.
    assert.equal(
      (await api.post("/v2/fns", { app_id: other.id, name: "f1", image: "i" })).status,
      200,
    );
  });

  const ok = { name: "fx", image: "i" };
  const cases: [string, unknown, number, string][] = [
    ["memory as a string", `{"app_id":"A","memory":"12"}`, 400, "Invalid JSON"],
    ["fractional memory", `{"memory":1.5}`, 400, "Invalid JSON"],
    ["negative memory", `{"memory":-1}`, 400, "Invalid JSON"],
    ["timeout beyond int32", `{"timeout":2147483648}`, 400, "Invalid JSON"],
    ["a config value that is a number", `{"config":{"a":1}}`, 400, "Invalid JSON"],
    ["an id", { id: "x", app_id: "A", ...ok }, 400, "ID cannot be provided for Fn creation"],
    ["no app_id", ok, 400, "Missing AppID on Fn"],
    ["no name", { app_id: "A", image: "i" }, 400, "Missing Fn name"],
    [
      "a 256-byte name",
      { app_id: "A", image: "i", name: "f".repeat(256) },
      400,
      "Fn name must be 255 characters or less",
    ],
    [
      "a name with a slash",
      { app_id: "A", image: "i", name: "a/b" },
      400,
      "name must be a valid string",
    ],
    [
      "a non-ASCII name",
      { app_id: "A", image: "i", name: "fü" },
      400,
      "name must be a valid string",
    ],
    ["no image", { app_id: "A", name: "f" }, 400, "Missing image on Fn"],
    [
      "timeout 301",
      { app_id: "A", ...ok, timeout: 301 },
      400,
      "timeout value is out of range, must be between 0 and 300",
    ],
    [
      "timeout -1",
      { app_id: "A", ...ok, timeout: -1 },
      400,
      "timeout value is out of range, must be between 0 and 300",
    ],
    [
      "idle_timeout 3601",
      { app_id: "A", ...ok, idle_timeout: 3601 },
      400,
      "idle_timeout value is out of range, must be between 0 and 3600",
    ],
    [
      "memory 8193",
      { app_id: "A", ...ok, memory: 8193 },
      400,
      "memory value is out of range. It should be between 0 and 8192",
    ],
    [
      "a null annotation",
      { app_id: "A", ...ok, annotations: { k: null } },
      400,
      "Invalid annotation value, annotation values may only be non-empty strings, numbers, objects, or arrays",
    ],
    ["an unknown app", { app_id: "nope", ...ok }, 404, "App not found"],
  ];
  for (const [what, body, status, message] of cases) {
    await t.step(`gives ${status} ${message} for ${what}`, async () => {
      assertError(await api.post("/v2/fns", body), status, message);
    });
  }
});

Deno.test("GET /v2/fns", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const app = (await api.post("/v2/apps", { name: "app" })).json;
  const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, "0")}`);
  for (const name of names.toReversed()) {
    assert.equal((await api.post("/v2/fns", { app_id: app.id, name, image: "i" })).status, 200);
  }

  await t.step("gives 400 Missing AppID on Fn without app_id", async () => {
    assertError(await api.get("/v2/fns"), 400, "Missing AppID on Fn");
    assertError(await api.get("/v2/fns?app_id="), 400, "Missing AppID on Fn");
  });

  await t.step("lists nothing for an unknown app", async () => {
    assert.equal((await api.get("/v2/fns?app_id=nope")).text, '{"items":[]}');
  });

  await t.step("pages by name with invoke endpoints on every item", async () => {
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const res = await api.get(
        `/v2/fns?app_id=${app.id}&per_page=5${cursor ? `&cursor=${cursor}` : ""}`,
      );
      for (const fn of res.json.items) {
        assert.equal(fn.annotations[INVOKE_KEY], `http://127.0.0.1:${fnd.port}/invoke/${fn.id}`);
        assert.deepEqual(fn.config, {});
      }
      seen.push(...res.json.items.map((f: { name: string }) => f.name));
      if (!res.json.next_cursor) break;
      cursor = res.json.next_cursor;
    }
    assert.deepEqual(seen, names);
  });

  await t.step("filters by exact name", async () => {
    const res = await api.get(`/v2/fns?app_id=${app.id}&name=f03`);
    assert.deepEqual(res.json.items.map((f: { name: string }) => f.name), ["f03"]);
  });

  await t.step("GET /v2/fns/{fnID} returns the fn, or 404 Fn not found", async () => {
    const listed = (await api.get(`/v2/fns?app_id=${app.id}&name=f03`)).json.items[0];
    const res = await api.get(`/v2/fns/${listed.id}`);
    assert.deepEqual(res.json, listed);
    assertError(await api.get("/v2/fns/nope"), 404, "Fn not found");
  });
});

Deno.test("PUT and DELETE /v2/fns/{fnID}", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const app = (await api.post("/v2/apps", { name: "app" })).json;
  const fn = (await api.post("/v2/fns", {
    app_id: app.id,
    name: "f",
    image: "img:1",
    config: { a: "1" },
  })).json;
  const path = `/v2/fns/${fn.id}`;

  await t.step("updates image, memory, timeouts, config and annotations", async () => {
    const res = await api.put(path, {
      image: "img:2",
      memory: 256,
      timeout: 60,
      idle_timeout: 120,
      config: { a: "", b: "2" },
      annotations: { k: "v" },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      [res.json.image, res.json.memory, res.json.timeout, res.json.idle_timeout],
      ["img:2", 256, 60, 120],
    );
    assert.deepEqual(res.json.config, { b: "2" });
    assert.deepEqual(res.json.annotations, { k: "v" }, "PUT responses carry no invoke endpoint");
    const read = (await api.get(path)).json;
    assert.equal(read.image, "img:2");
    assert.equal(read.annotations.k, "v");
  });

  await t.step("ignores name, app_id and shape, keeps updated_at on a no-op", async () => {
    const before = (await api.put(path, {})).json;
    const res = await api.put(path, {
      name: "g",
      app_id: "other",
      shape: "GENERIC_ARM",
      memory: 0,
    });
    assert.deepEqual(res.json, before);
  });

  await t.step("emits config {} once the last key is deleted", async () => {
    const res = await api.put(path, { config: { b: "" } });
    assert.ok(res.text.includes('"config":{}'), res.text);
    assert.ok((await api.get(path)).text.includes('"config":{}'));
  });

  const cases: [string, unknown, number, string][] = [
    ["a mismatched id", { id: "other" }, 400, "Fn ID in path does not match that in body"],
    [
      "memory 9000",
      { memory: 9000 },
      400,
      "memory value is out of range. It should be between 0 and 8192",
    ],
    ["negative memory", { memory: -5 }, 400, "Invalid JSON"],
    [
      "timeout -5",
      { timeout: -5 },
      400,
      "timeout value is out of range, must be between 0 and 300",
    ],
    [
      "idle_timeout 4000",
      { idle_timeout: 4000 },
      400,
      "idle_timeout value is out of range, must be between 0 and 3600",
    ],
    [
      "a bad annotation key",
      { annotations: { "a b": 1 } },
      400,
      "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
    ],
  ];
  for (const [what, body, status, message] of cases) {
    await t.step(`gives ${status} ${message} for ${what}`, async () => {
      assertError(await api.put(path, body), status, message);
    });
  }

  await t.step("gives 404 Fn not found for an unknown fn (only one error body)", async () => {
    assertError(await api.put("/v2/fns/nope", {}), 404, "Fn not found");
    assertError(
      await api.put("/v2/fns/nope", { id: "x" }),
      400,
      "Fn ID in path does not match that in body",
    );
  });

  await t.step("DELETE answers 204 and removes the fn's triggers", async () => {
    const trigger = (await api.post("/v2/triggers", {
      app_id: app.id,
      fn_id: fn.id,
      name: "t",
      type: "http",
      source: "/s",
    })).json;
    const res = await api.delete(path);
    assert.equal(res.status, 204);
    assert.equal(res.text, "");
    assertError(await api.get(path), 404, "Fn not found");
    assertError(await api.get(`/v2/triggers/${trigger.id}`), 404, "Trigger not found");
    assertError(await api.delete(path), 404, "Fn not found");
    assert.equal((await api.get(`/v2/apps/${app.id}`)).status, 200);
  });

  await t.step("the call and log routes are gone (410, empty body)", async () => {
    for (const p of [`${path}/calls`, `${path}/calls/c1`, `${path}/calls/c1/log`]) {
      const res = await api.get(p);
      assert.equal(res.status, 410, p);
      assert.equal(res.text, "");
      assert.equal(res.headers.get("content-type"), null);
    }
  });
});
