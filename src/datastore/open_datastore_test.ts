import assert from "node:assert/strict";
import { freePort } from "../../tests/_databases.ts";
import { Logger } from "../log.ts";
import type { DbLocation } from "./db_url.ts";
import { parseDbUrl } from "./db_url.ts";
import { createKysely, describe, openDatastore } from "./open_datastore.ts";

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger({ level: 0, format: "text", sink: (l) => lines.push(l) }), lines };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-open-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "openDatastore() retries, then names the unreachable database without its password",
  async fn(t) {
    const port = freePort();
    const cases: [string, string, string][] = [
      [
        "postgres",
        `postgres://fnd:s3cret@127.0.0.1:${port}/fnd?sslmode=disable`,
        `postgres://fnd:***@127.0.0.1:${port}/fnd?sslmode=disable`,
      ],
      [
        "mysql",
        `mysql://fnd:s3cret@tcp(127.0.0.1:${port})/fnd`,
        `mysql://fnd@tcp(127.0.0.1:${port})/fnd`,
      ],
    ];
    for (const [dialect, url, shown] of cases) {
      await t.step(dialect, async () => {
        const { logger, lines } = capture();
        const opening = openDatastore(parseDbUrl(url), {
          connectAttempts: 3,
          connectRetryDelayMs: 1,
          logger,
        });
        await assert.rejects(opening, (err: Error) => {
          assert.ok(
            err.message.startsWith(`Cannot connect to the datastore ${shown} after 3 attempts: `),
          );
          assert.match(err.message, /Check FN_DB_URL/);
          assert.doesNotMatch(err.message, /s3cret/);
          return true;
        });
        const retries = lines.filter((l) => l.includes("database not reachable yet; retrying"));
        assert.equal(retries.length, 2);
        assert.ok(lines.every((l) => !l.includes("s3cret")));
      });
    }
  },
});

Deno.test({
  name: "openDatastore() stops retrying when its signal aborts",
  async fn() {
    const controller = new AbortController();
    const logger = new Logger({
      level: 0,
      format: "text",
      sink: () => controller.abort(new Error("shutting down")),
    });
    const location = parseDbUrl(`postgres://fnd@127.0.0.1:${freePort()}/fnd`);
    await assert.rejects(
      openDatastore(location, {
        connectRetryDelayMs: 3_600_000,
        logger,
        signal: controller.signal,
      }),
      /shutting down/,
    );
  },
});

Deno.test("openDatastore() rejects bad options before connecting", async (t) => {
  const location: DbLocation = { dialect: "sqlite", path: ":memory:" };
  const cases: [string, object, RegExp][] = [
    ["connectAttempts", { connectAttempts: 0 }, /'connectAttempts' must be a positive integer/],
    ["connectRetryDelayMs", { connectRetryDelayMs: -1 }, /'connectRetryDelayMs' must be >= 0/],
    ["maxConnections", { maxConnections: 1.5 }, /'maxConnections' must be a positive integer/],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, async () => {
      await assert.rejects(openDatastore(location, options), (err: Error) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

Deno.test("openDatastore() on SQLite creates the directories, migrates, and closes once", async () => {
  await withTempDir(async (dir) => {
    const location: DbLocation = { dialect: "sqlite", path: `${dir}/deep/er/fnd.db` };
    const { logger, lines } = capture();
    const ds = await openDatastore(location, { logger });
    await ds.ping();
    assert.equal(ds.dialect, "sqlite");
    assert.ok(lines.some((l) => l.includes("applied schema migrations")));
    await ds[Symbol.asyncDispose]();
    await ds[Symbol.asyncDispose]();
    await assert.rejects(ds.ping());
    const db = createKysely(location);
    try {
      const tables = (await db.introspection.getTables()).map((x) => x.name).sort();
      for (const want of ["apps", "fns", "fnd_migrations", "schema_migrations", "triggers"]) {
        assert.ok(tables.includes(want), `missing table ${want} in ${tables}`);
      }
    } finally {
      await db.destroy();
    }
  });
});

Deno.test("openDatastore() on an unusable SQLite path says which file and what to check", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "not a directory");
    const location: DbLocation = { dialect: "sqlite", path: `${dir}/file/fnd.db` };
    await assert.rejects(openDatastore(location), (err: Error) => {
      assert.ok(
        err.message.startsWith(`Cannot connect to the datastore sqlite3://${dir}/file/fnd.db: `),
      );
      assert.match(err.message, /Check FN_DB_URL/);
      return true;
    });
  });
});

Deno.test("describe() shows where the database is, never the password", async (t) => {
  const cases: [string, string][] = [
    ["sqlite3:///data/fnd.db", "sqlite3:///data/fnd.db"],
    ["postgres://u:p@w:rd@db:5432/fn", "postgres://u:***@db:5432/fn"],
    ["postgres://u@db/fn", "postgres://u@db/fn"],
    ["mysql://u:pw@tcp(db:3306)/fn", "mysql://u@tcp(db:3306)/fn"],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => assert.equal(describe(parseDbUrl(url)), want));
  }
});
