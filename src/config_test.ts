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
