/**
 * The /v2/apps endpoints over real HTTP against a started fnd process (SQLite).
 */

import assert from "node:assert/strict";
import { assertError, client } from "./_http.ts";
import { startFnd } from "./_server.ts";

/** The /v2 API is the same on full and api nodes; api nodes need no Docker. */
const API_NODE = { env: { FN_NODE_TYPE: "api" } };

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ANN = {
  invalidKey:
    "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
  keyTooLong: "Invalid annotation key length, annotation keys may not be larger than 128 bytes",
  emptyValue:
    "Invalid annotation value, annotation values may only be non-empty strings, numbers, objects, or arrays",
  valueTooLong:
    "Invalid annotation value length, annotation values may not be larger than 512 bytes when serialized as JSON",
  tooMany:
    "Invalid annotation change, new key(s) exceed maximum permitted number of annotations keys (100)",
};

function manyAnnotations(n: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
}

Deno.test("POST /v2/apps", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);

  await t.step("creates an app and answers 200 with Fn's fields in Fn's order", async () => {
    const res = await api.post("/v2/apps", {
      name: "app3",
      config: { B: "2", A: "b", "10": "x", "9": "y" },
      annotations: { k: { x: 1 } },
      syslog_url: "tcp://x:1",
      shape: "GENERIC_ARM",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    assert.ok(!res.text.endsWith("\n"));
    assert.deepEqual(Object.keys(res.json), [
      "id",
      "name",
      "config",
      "annotations",
      "syslog_url",
      "shape",
      "created_at",
      "updated_at",
    ]);
    assert.match(res.json.id, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    assert.ok(res.text.includes('"config":{"10":"x","9":"y","A":"b","B":"2"}'), res.text);
    assert.match(res.json.created_at, TIMESTAMP);
    assert.equal(res.json.created_at, res.json.updated_at);
  });

  await t.step("leaves out empty config, annotations, syslog_url and shape", async () => {
    const res = await api.post("/v2/apps", { name: "bare", config: {}, annotations: {} });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), ["id", "name", "created_at", "updated_at"]);
  });

  await t.step("gives 409 when the name is taken", async () => {
    assertError(await api.post("/v2/apps", { name: "bare" }), 409, "App already exists");
  });

  await t.step("reads bodies like Go: any content type, first value, any key case", async () => {
    const xml = await api.post("/v2/apps", '{"name":"xml1"}', {
      headers: { "content-type": "application/xml" },
    });
    assert.equal(xml.status, 200);
    const garbage = await api.post("/v2/apps", '{"name":"g1"} garbage');
    assert.equal(garbage.json.name, "g1");
    const upper = await api.post("/v2/apps", '{"NAME":"upper1","Config":{"a":null}}');
    assert.equal(upper.json.name, "upper1");
    assert.deepEqual(upper.json.config, { a: "" });
    const repeated = await api.post("/v2/apps", '{"name":"x","NAME":"y","name":"last1"}');
    assert.equal(repeated.json.name, "last1");
    assert.equal((await api.post("/v2/apps", '{"name":"u1","unknown":[1,{"x":2}]}')).status, 200);
  });

  await t.step("accepts unicode names", async () => {
    for (const name of ["ünï_-3", "日本", "Ωmega"]) {
      const res = await api.post("/v2/apps", { name });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.name, name);
      const found = await api.get(`/v2/apps?name=${encodeURIComponent(name)}`);
      assert.deepEqual(found.json.items.map((a: { name: string }) => a.name), [name]);
      assert.equal((await api.get(`/v2/apps/${res.json.id}`)).json.name, name);
    }
  });

  const cases: [string, unknown, number, string][] = [
    ["an empty body", "", 400, "Invalid JSON"],
    ["malformed JSON", '{"name":', 400, "Invalid JSON"],
    ["a top-level array", "[]", 400, "Invalid JSON"],
    ["a top-level string", '"app"', 400, "Invalid JSON"],
    ["a name that is a number", '{"name":5}', 400, "Invalid JSON"],
    ["a config value that is a number", '{"name":"c","config":{"a":1}}', 400, "Invalid JSON"],
    ["an unparseable created_at", '{"name":"c","created_at":"today"}', 400, "Invalid JSON"],
    ["a top-level null", "null", 400, "Missing Name"],
    ["an id", { id: "x", name: "idapp" }, 400, "App ID cannot be supplied on create"],
    ["no name", {}, 400, "Missing Name"],
    ["a 256-byte name", { name: "a".repeat(256) }, 400, "App name must be 255 characters or less"],
    ["a name with a dot", { name: "a.b" }, 400, "Invalid app name"],
    ["a name with a space", { name: "a b" }, 400, "Invalid app name"],
    [
      "an annotation key with a space",
      { name: "an", annotations: { "a b": 1 } },
      400,
      ANN.invalidKey,
    ],
    [
      "a 129-byte annotation key",
      { name: "an", annotations: { ["k".repeat(129)]: 1 } },
      400,
      ANN.keyTooLong,
    ],
    ["an empty annotation value", { name: "an", annotations: { k: "" } }, 400, ANN.emptyValue],
    [
      "a null annotation value (Fn: 500)",
      { name: "an", annotations: { k: null } },
      400,
      ANN.emptyValue,
    ],
    [
      "a 513-byte annotation value",
      { name: "an", annotations: { k: "x".repeat(511) } },
      400,
      ANN.valueTooLong,
    ],
    ["101 annotations", { name: "an", annotations: manyAnnotations(101) }, 400, ANN.tooMany],
    [
      "a syslog URL with a bad scheme",
      { name: "sl", syslog_url: "yo" },
      400,
      'invalid syslog url: "yo" invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported',
    ],
    [
      "an unparseable syslog URL",
      { name: "sl", syslog_url: "::" },
      400,
      'invalid syslog url: "::" parse "::": missing protocol scheme',
    ],
    ["an unknown shape", { name: "sh", shape: "GENERIC_MIPS" }, 400, "Invalid app shape"],
  ];
  for (const [what, body, status, message] of cases) {
    await t.step(`gives ${status} ${message} for ${what}`, async () => {
      assertError(await api.post("/v2/apps", body), status, message);
    });
  }

  await t.step("accepts a 510-character annotation string and 100 annotations", async () => {
    const res = await api.post("/v2/apps", {
      name: "edges",
      annotations: { ...manyAnnotations(99), s: "x".repeat(510) },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(Object.keys(res.json.annotations).length, 100);
  });
});

Deno.test("/v2/apps keeps annotation numbers exactly as sent", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const sent = '{"e":1e400,"f":1.0,"k":12345678901234567890,"o":{"n":[-0,1E2]}}';
  const created = await api.post("/v2/apps", `{"name":"nums","annotations":${sent}}`);
  const path = `/v2/apps/${created.json.id}`;

  await t.step("POST and GET answer the numbers as they were sent", async () => {
    assert.equal(created.status, 200, created.text);
    assert.ok(created.text.includes(`"annotations":${sent},`), created.text);
    assert.equal((await api.get(path)).text, created.text);
  });

  await t.step("a read-modify-write PUT (what fn's CLI does) keeps every key", async () => {
    const read = (await api.get(path)).text;
    const res = await api.put(path, read.replace('"f":1.0', '"f":1.0,"g":2e-400'));
    assert.equal(res.status, 200, res.text);
    const want = sent.replace('"f":1.0', '"f":1.0,"g":2e-400');
    assert.ok(res.text.includes(`"annotations":${want},`), res.text);
    assert.ok((await api.get(path)).text.includes(`"annotations":${want},`));
  });

  await t.step("the 512-byte limit counts the number as written", async () => {
    const number = (digits: number) => `{"annotations":{"n":1${"0".repeat(digits - 1)}}}`;
    assert.equal((await api.put(path, number(512))).status, 200);
    assertError(await api.put(path, number(513)), 400, ANN.valueTooLong);
  });
});

Deno.test("GET, PUT and DELETE /v2/apps/{appID}", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const created = (await api.post("/v2/apps", {
    name: "app",
    config: { a: "1", b: "2" },
    annotations: { k: 1, gone: true },
    syslog_url: "tcp://x:1",
    shape: "GENERIC_X86",
  })).json;
  const path = `/v2/apps/${created.id}`;

  await t.step("GET returns the stored app", async () => {
    const res = await api.get(path);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, created);
  });

  await t.step("GET gives 404 App not found for an unknown or malformed id", async () => {
    assertError(await api.get("/v2/apps/01ZZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "App not found");
    assertError(await api.get("/v2/apps/not%20an%20id"), 404, "App not found");
  });

  await t.step("PUT merges config and annotations and moves updated_at", async () => {
    const res = await api.put(path, {
      config: { a: "", c: "3" },
      annotations: { k: 2, gone: "", n: [1] },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.config, { b: "2", c: "3" });
    assert.deepEqual(res.json.annotations, { k: 2, n: [1] });
    assert.equal(res.json.created_at, created.created_at);
    assert.ok(res.json.updated_at >= created.updated_at);
    assert.deepEqual((await api.get(path)).json, res.json);
  });

  await t.step("PUT with a null annotation value deletes the key", async () => {
    const res = await api.put(path, { annotations: { n: null } });
    assert.deepEqual(res.json.annotations, { k: 2 });
  });

  await t.step("PUT that changes nothing keeps updated_at", async () => {
    const before = (await api.get(path)).json;
    for (
      const body of [{}, "null", { name: "app", id: created.id }, { config: { b: "2" } }, {
        shape: "bogus",
      }]
    ) {
      const res = await api.put(path, body);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, before);
    }
  });

  await t.step("PUT replaces, validates and removes syslog_url", async () => {
    assert.equal((await api.put(path, { syslog_url: "udp://y:2" })).json.syslog_url, "udp://y:2");
    assert.equal((await api.put(path, { syslog_url: null })).json.syslog_url, "udp://y:2");
    assertError(
      await api.put(path, { syslog_url: "http://y" }),
      400,
      'invalid syslog url: "http://y" invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported',
    );
    const removed = await api.put(path, { syslog_url: "" });
    assert.equal(removed.json.syslog_url, undefined);
    assert.ok(!removed.text.includes("syslog_url"));
  });

  await t.step("PUT gives 409 Could not update - name is immutable", async () => {
    assertError(
      await api.put(path, { name: "other" }),
      409,
      "Could not update - name is immutable",
    );
  });

  await t.step("PUT gives 400 App ID in path does not match ID in body", async () => {
    assertError(
      await api.put(path, { id: "other" }),
      400,
      "App ID in path does not match ID in body",
    );
  });

  await t.step("PUT checks the id before the app exists", async () => {
    assertError(
      await api.put("/v2/apps/nope", { id: "other" }),
      400,
      "App ID in path does not match ID in body",
    );
    assertError(await api.put("/v2/apps/nope", {}), 404, "App not found");
  });

  await t.step("PUT gives 400 on bad JSON and annotation rules", async () => {
    assertError(await api.put(path, "{"), 400, "Invalid JSON");
    assertError(await api.put(path, { annotations: { "": 1 } }), 400, ANN.invalidKey);
    assertError(await api.put(path, { annotations: manyAnnotations(100) }), 400, ANN.tooMany);
  });

  await t.step("DELETE answers 204 and removes the app with its fns and triggers", async () => {
    const fn = (await api.post("/v2/fns", { app_id: created.id, name: "f", image: "i" })).json;
    const trigger = (await api.post("/v2/triggers", {
      app_id: created.id,
      fn_id: fn.id,
      name: "t",
      type: "http",
      source: "/s",
    })).json;
    const res = await api.delete(path);
    assert.equal(res.status, 204);
    assert.equal(res.text, "");
    assertError(await api.get(path), 404, "App not found");
    assertError(await api.get(`/v2/fns/${fn.id}`), 404, "Fn not found");
    assertError(await api.get(`/v2/triggers/${trigger.id}`), 404, "Trigger not found");
  });

  await t.step("DELETE gives 404 App not found the second time", async () => {
    assertError(await api.delete(path), 404, "App not found");
  });
});

Deno.test("GET /v2/apps pages through 55 apps by name", async (t) => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const names = Array.from({ length: 55 }, (_, i) => `app${String(i).padStart(2, "0")}`);
  // Created in a shuffled order: the list is ordered by name, not by creation.
  const shuffled = [...names].sort((a, b) => (a.charCodeAt(4) % 3) - (b.charCodeAt(4) % 3));
  for (const name of shuffled) assert.equal((await api.post("/v2/apps", { name })).status, 200);

  await t.step("walks pages with per_page and next_cursor until the end", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const res = await api.get(`/v2/apps?per_page=20${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(res.status, 200);
      seen.push(...res.json.items.map((a: { name: string }) => a.name));
      sizes.push(res.json.items.length);
      if (res.json.next_cursor === undefined) break;
      cursor = res.json.next_cursor;
    }
    assert.deepEqual(sizes, [20, 20, 15]);
    assert.deepEqual(seen, names);
  });

  await t.step("uses base64url of the last name as the cursor", async () => {
    const res = await api.get("/v2/apps?per_page=2");
    assert.equal(res.json.next_cursor, btoa("app01").replace(/=+$/, ""));
    assert.equal(res.text.indexOf('"next_cursor"'), 1);
  });

  await t.step("returns an empty last page after a full one", async () => {
    const res = await api.get(`/v2/apps?per_page=5&cursor=${btoa("app54").replace(/=+$/, "")}`);
    assert.equal(res.text, '{"items":[]}');
  });

  await t.step("defaults per_page to 30 and caps it at 100", async () => {
    for (
      const [q, n] of [["", 30], ["?per_page=abc", 30], ["?per_page=0", 30], ["?per_page=-4", 30], [
        "?per_page=1000",
        55,
      ]] as const
    ) {
      const res = await api.get(`/v2/apps${q}`);
      assert.equal(res.json.items.length, n, q);
    }
  });

  await t.step("filters by exact name", async () => {
    const res = await api.get("/v2/apps?name=app07");
    assert.deepEqual(res.json.items.map((a: { name: string }) => a.name), ["app07"]);
    assert.deepEqual((await api.get("/v2/apps?name=app")).json, { items: [] });
  });

  await t.step("gives 400 for a cursor that is not base64url", async () => {
    assertError(
      await api.get("/v2/apps?cursor=%25%25%25"),
      400,
      'Invalid cursor "%%%": pass the next_cursor value of the previous page unchanged',
    );
  });

  await t.step("finds an app by name when paging past the first page", async () => {
    let cursor = "";
    let found: unknown;
    for (let page = 0; page < 20 && found === undefined; page++) {
      const res = await api.get(`/v2/apps?per_page=7${cursor ? `&cursor=${cursor}` : ""}`);
      found = res.json.items.find((a: { name: string }) => a.name === "app50");
      if (!res.json.next_cursor) break;
      cursor = res.json.next_cursor;
    }
    assert.ok(found);
  });
});

Deno.test("POST /v2/apps lets exactly one of 20 concurrent creates of a name win", async () => {
  await using fnd = await startFnd(API_NODE);
  const api = client(fnd.url);
  const results = await Promise.all(
    Array.from({ length: 20 }, () => api.post("/v2/apps", { name: "raced" })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, ...Array(19).fill(409)]);
  for (const r of results.filter((r) => r.status === 409)) {
    assertError(r, 409, "App already exists");
  }
  assert.equal((await api.get("/v2/apps?name=raced")).json.items.length, 1);
});
