/**
 * A subset of the API suite against real PostgreSQL and MariaDB servers (the main suite
 * runs on SQLite): unique names and races, unicode and byte order, paging, updates,
 * trigger conflicts and cascading deletes, all through a real fnd process.
 */

import assert from "node:assert/strict";
import { startMariaDb, startPostgres, type TestDatabaseServer } from "./_databases.ts";
import { assertError, client } from "./_http.ts";
import { startFnd } from "./_server.ts";

async function apiSubset(t: Deno.TestContext, db: TestDatabaseServer): Promise<void> {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api", FN_DB_URL: db.url } });
  const api = client(fnd.url);

  await t.step("exactly one of 10 concurrent creates of a name wins", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.post("/v2/apps", { name: "raced" })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array(9).fill(409)]);
    for (const r of results.filter((r) => r.status === 409)) {
      assertError(r, 409, "App already exists");
    }
  });

  await t.step("unicode names round-trip and sort by UTF-8 bytes", async () => {
    for (const name of ["é", "a", "B", "日本", "ünï_-3"]) {
      assert.equal((await api.post("/v2/apps", { name })).status, 200);
    }
    const names = (await api.get("/v2/apps")).json.items.map((a: { name: string }) => a.name);
    assert.deepEqual(names, ["B", "a", "raced", "é", "ünï_-3", "日本"]);
  });

  await t.step("35 more apps page through per_page=10 with nothing lost or repeated", async () => {
    for (let i = 0; i < 35; i++) {
      assert.equal(
        (await api.post("/v2/apps", { name: `p${String(i).padStart(2, "0")}` })).status,
        200,
      );
    }
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const res = await api.get(`/v2/apps?per_page=10${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...res.json.items.map((a: { name: string }) => a.name));
      if (!res.json.next_cursor) break;
      cursor = res.json.next_cursor;
    }
    assert.equal(seen.length, 41);
    assert.equal(new Set(seen).size, 41);
  });

  await t.step("the largest valid annotations and a 70 KB config value are stored", async () => {
    const annotations: Record<string, string> = {};
    for (let i = 0; i < 100; i++) {
      annotations[String(i).padStart(3, "0") + '"\\'.repeat(63).slice(0, 125)] = "x".repeat(510);
    }
    const config = { BIG: "v".repeat(70_000) };
    const app = await api.post("/v2/apps", { name: "big", config, annotations });
    assert.equal(app.status, 200, app.text);
    assert.deepEqual([app.json.config, app.json.annotations], [config, annotations]);
    const fn = await api.post("/v2/fns", { app_id: app.json.id, name: "f", image: "i", config });
    assert.equal(fn.status, 200, fn.text);
    const put = await api.put(`/v2/fns/${fn.json.id}`, { annotations });
    assert.equal(put.status, 200, put.text);
    const read = await api.get(`/v2/fns/${fn.json.id}`);
    assert.deepEqual(read.json.config, config);
    assert.equal(Object.keys(read.json.annotations).length, 101);
    assert.equal((await api.delete(`/v2/apps/${app.json.id}`)).status, 204);
  });

  await t.step("annotation numbers come back exactly as sent", async () => {
    const sent = '{"e":1e400,"k":12345678901234567890}';
    const app = await api.post("/v2/apps", `{"name":"nums","annotations":${sent}}`);
    assert.ok(app.text.includes(`"annotations":${sent},`), app.text);
    assert.ok((await api.get(`/v2/apps/${app.json.id}`)).text.includes(`"annotations":${sent},`));
    assert.equal((await api.delete(`/v2/apps/${app.json.id}`)).status, 204);
  });

  await t.step("fns and triggers: create, update, conflicts, cascading delete", async () => {
    const app = (await api.post("/v2/apps", { name: "app", config: { a: "1" } })).json;
    const fn = (await api.post("/v2/fns", { app_id: app.id, name: "f", image: "i" })).json;
    const fn2 = (await api.post("/v2/fns", { app_id: app.id, name: "g", image: "i" })).json;
    assertError(
      await api.post("/v2/fns", { app_id: app.id, name: "f", image: "i" }),
      409,
      "Fn with specified name already exists",
    );
    const updated = await api.put(`/v2/fns/${fn.id}`, { memory: 512, config: { k: "v" } });
    assert.deepEqual([updated.json.memory, updated.json.config], [512, { k: "v" }]);
    const mk = (name: string, source: string, fnId = fn.id) =>
      api.post("/v2/triggers", { app_id: app.id, fn_id: fnId, name, type: "http", source });
    const t1 = (await mk("t1", "/one")).json;
    assert.equal((await mk("t2", "/two", fn2.id)).status, 200);
    assertError(
      await mk("t3", "/one"),
      409,
      "Trigger with the same type and source exists on this app",
    );
    assertError(await mk("t1", "/three"), 409, "Trigger already exists");
    assertError(
      await api.put(`/v2/triggers/${t1.id}`, { source: "/two" }),
      409,
      "Trigger with the same type and source exists on this app",
    );
    assert.equal((await api.put(`/v2/triggers/${t1.id}`, { source: "/uno" })).json.source, "/uno");
    const bySource = await api.get(`/v2/runner/apps/${app.id}/triggerBySource/http//uno`);
    assert.equal(bySource.json.id, t1.id);
    assert.equal((await api.delete(`/v2/apps/${app.id}`)).status, 204);
    assertError(await api.get(`/v2/fns/${fn.id}`), 404, "Fn not found");
    assertError(await api.get(`/v2/triggers/${t1.id}`), 404, "Trigger not found");
  });
}

Deno.test("the API on PostgreSQL", async (t) => {
  await using db = await startPostgres();
  await apiSubset(t, db);
});

Deno.test("the API on MariaDB", async (t) => {
  await using db = await startMariaDb();
  await apiSubset(t, db);
});
