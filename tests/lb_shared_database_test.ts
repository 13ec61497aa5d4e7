/**
 * Fn's shared-database scale-out topology, as real processes with real Docker and a
 * real database server on loopback: an api node and an LB both on `FN_DB_URL` (one
 * PostgreSQL or MariaDB database), and a pure runner. The api node writes apps, fns and
 * triggers; the LB reads them from the database (cached for at most 5 s, as in Fn) and
 * places the calls on the runner.
 */

import assert from "node:assert/strict";
import { removeContainersTagged, uniqueTag } from "./_call_node.ts";
import { startMariaDb, startPostgres, type TestDatabaseServer } from "./_databases.ts";
import { assertError, client, type HttpResult } from "./_http.ts";
import { ensureTestImages } from "./_images.ts";
import { startFnd } from "./_server.ts";

/** Longest a write on the api node may take to reach the LB (its cache keeps 5 s). */
const SEEN_WITHIN_MS = 15_000;

/**
 * Repeats `call` until `served` holds for its answer, at most {@linkcode SEEN_WITHIN_MS}
 * (the LB sees another node's writes only when its cached lookup expires).
 */
async function until(
  call: () => Promise<HttpResult>,
  served: (res: HttpResult) => boolean,
): Promise<HttpResult> {
  const deadline = Date.now() + SEEN_WITHIN_MS;
  for (;;) {
    const res = await call();
    if (served(res) || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const databases: [string, () => Promise<TestDatabaseServer>][] = [
  ["PostgreSQL", startPostgres],
  ["MariaDB", startMariaDb],
];

for (const [name, startDatabase] of databases) {
  Deno.test(`an LB on FN_DB_URL (${name}) serves what an api node wrote to the same database`, async () => {
    const images = await ensureTestImages();
    const tag = uniqueTag();
    await using db = await startDatabase();
    await using api = await startFnd({ env: { FN_NODE_TYPE: "api", FN_DB_URL: db.url } });
    await using runner = await startFnd({
      env: { FN_NODE_TYPE: "pure-runner", FN_GRPC_PORT: "0", FN_CONTAINER_LABEL_TAG: tag },
    });
    try {
      const grpcPort = /grpc_port=(\d+)/.exec(await runner.waitForLog(/pure runner listening/))
        ?.[1];
      await using lb = await startFnd({
        env: {
          FN_NODE_TYPE: "lb",
          FN_DB_URL: db.url,
          FN_RUNNER_ADDRESSES: `127.0.0.1:${grpcPort}`,
        },
      });
      const v2 = client(api.url);
      const viaLb = client(lb.url);
      // The LB reads its own datastore: an unknown fn is Fn's 404, not an API-node 500.
      assertError(await viaLb.post("/invoke/01UNKNOWNFNID0000000000000", "x"), 404, "Fn not found");

      const app = await v2.post("/v2/apps", { name: `shared-${tag.slice(-8)}` });
      assert.equal(app.status, 200, app.text);
      const fn = await v2.post("/v2/fns", {
        "app_id": app.json.id,
        name: "env",
        image: images["env-dump"],
        memory: 64,
        config: { STEP: "1" },
      });
      assert.equal(fn.status, 200, fn.text);
      const invoke = () => viaLb.post(`/invoke/${fn.json.id}`, "x");
      const step = (res: HttpResult) => res.status === 200 ? res.json?.env?.STEP : undefined;

      const first = await until(invoke, (res) => step(res) === "1");
      assert.equal(first.status, 200, first.text);
      assert.equal(step(first), "1");

      // An update on the api node reaches the LB once its cached lookup expires.
      const updated = await v2.put(`/v2/fns/${fn.json.id}`, { config: { STEP: "2" } });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(step(await until(invoke, (res) => step(res) === "2")), "2");

      const trigger = await v2.post("/v2/triggers", {
        "app_id": app.json.id,
        "fn_id": fn.json.id,
        name: "t",
        type: "http",
        source: "/env",
      });
      assert.equal(trigger.status, 200, trigger.text);
      const viaTrigger = await until(
        () => viaLb.post(`/t/${app.json.name}/env`, "x"),
        (res) => res.status === 200,
      );
      assert.equal(viaTrigger.status, 200, viaTrigger.text);
      assert.equal(viaTrigger.json.env.STEP, "2");
    } finally {
      await runner.stop();
      await removeContainersTagged(tag);
    }
  });
}
