import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, "/tmp");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("loadConfig() reports a bad FN_DB_URL without its password", async (t) => {
  const cases: [string, string][] = [
    [
      "mysql://u:s3cret@tcp(h:99999)/db",
      "FN_DB_URL=mysql://u:***@tcp(h:99999)/db: the port must be 1..65535",
    ],
    ["mysql://u:s3cret@tcp(h:1)/", "FN_DB_URL=mysql://u:***@tcp(h:1)/: missing the database"],
    ["mysql://u:s3%zzcret@h/db", "FN_DB_URL=mysql://u:***@h/db: bad %-escape in the password"],
    ["redis://u:s3cret@h/0", "FN_DB_URL=redis://u:***@h/0: expected sqlite3:///path/fn.db"],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => {
      const problems = problemsOf({ FN_DB_URL: url });
      assert.equal(problems.length, 1);
      assert.ok(problems[0]!.startsWith(want), problems[0]!);
      assert.doesNotMatch(problems[0]!, /s3|cret/);
    });
  }
});

Deno.test("loadConfig() runs FN_NODE_TYPE=runner as a full node, as Fn does, and warns", () => {
  const config = loadConfig({ FN_NODE_TYPE: "runner" }, "/tmp");
  assert.equal(config.server.nodeType, "full");
  assert.equal(config.runner, undefined);
  assert.equal(config.server.dbUrl, "sqlite3:///tmp/data/fnd.db");
  assert.equal(config.warnings?.length, 1);
  assert.match(config.warnings![0]!, /FN_NODE_TYPE=runner runs a full node, as in Fn/);
});

Deno.test("loadConfig() takes Fn's node types and an empty FN_NODE_TYPE as full, silently", () => {
  for (const type of ["full", "api", "lb", "pure-runner"] as const) {
    const env = {
      FN_NODE_TYPE: ` ${type} `,
      FN_RUNNER_ADDRESSES: "r:9190",
      FN_RUNNER_API_URL: "http://api:8080",
    };
    const config = loadConfig(env, "/tmp");
    assert.equal(config.server.nodeType, type);
    assert.equal(config.warnings, undefined);
  }
  assert.equal(loadConfig({ FN_NODE_TYPE: "" }, "/tmp").server.nodeType, "full");
});

Deno.test("loadConfig() rejects any other FN_NODE_TYPE, saying what Fn would do", () => {
  for (const type of ["bogus", "FULL", "pure_runner"]) {
    const problems = problemsOf({ FN_NODE_TYPE: type });
    assert.deepEqual(problems, [
      `FN_NODE_TYPE=${type}: expected one of full, api, lb, pure-runner (Fn would run it as full: set full for that)`,
    ]);
  }
});

Deno.test("loadConfig() reads FN_DS_DB_PING_MAX_RETRIES as the datastore's connect attempts", async (t) => {
  const cases: [Record<string, string>, number][] = [
    [{}, 10],
    [{ FN_DS_DB_PING_MAX_RETRIES: "60" }, 60],
    [{ FN_DS_DB_PING_MAX_RETRIES: " 3 " }, 3],
    [{ FN_DS_DB_PING_MAX_RETRIES: "1" }, 1],
    [{ FN_DS_DB_PING_MAX_RETRIES: "0" }, 1],
  ];
  for (const [env, attempts] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.equal(loadConfig(env, "/tmp").server.dbConnectAttempts, attempts);
    });
  }
  assert.deepEqual(problemsOf({ FN_DS_DB_PING_MAX_RETRIES: "-1" }), [
    "FN_DS_DB_PING_MAX_RETRIES=-1: must be at least 0",
  ]);
  assert.deepEqual(problemsOf({ FN_DS_DB_PING_MAX_RETRIES: "ten" }), [
    "FN_DS_DB_PING_MAX_RETRIES=ten: expected a whole number",
  ]);
});
