import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { Kysely, sql } from "kysely";
import { NodeSqliteDialect } from "./node_sqlite_dialect.ts";
import { NodeSqliteDriver, retryWhileBusy } from "./node_sqlite_driver.ts";

interface Db {
  t: { v: string };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-sqlite-driver-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function open(path: string, busyTimeoutMs?: number): Kysely<Db> {
  return new Kysely<Db>({ dialect: new NodeSqliteDialect({ path, busyTimeoutMs }) });
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * Holds a write transaction on `db` until the returned `release` is called; resolves
 * once the transaction has written.
 */
async function holdWriteLock(db: Kysely<Db>) {
  const written = gate();
  const release = gate();
  const done = db.transaction().execute(async (trx) => {
    await trx.insertInto("t").values({ v: "holder" }).execute();
    written.open();
    await release.wait;
  });
  await written.wait;
  return { release: release.open, done };
}

/** Fakes the clock the retry loop reads (`Date`, `setTimeout`) while `fn` runs. */
async function withClock(fn: (clock: FakeTimers.InstalledClock) => Promise<void>): Promise<void> {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    await fn(clock);
  } finally {
    clock.uninstall();
  }
}

const busyError = () => Object.assign(new Error("database is locked"), { errcode: 5 });

Deno.test("retryWhileBusy() runs the work again while SQLite is busy", async () => {
  await withClock(async (clock) => {
    let calls = 0;
    const result = retryWhileBusy(() => {
      if (++calls < 4) throw busyError();
      return "done";
    }, 1000);
    await clock.runAllAsync();
    assert.equal(await result, "done");
    assert.equal(calls, 4);
  });
});

Deno.test("retryWhileBusy() gives up with SQLite's error after the timeout", async () => {
  await withClock(async (clock) => {
    let calls = 0;
    const result = retryWhileBusy(() => {
      calls++;
      throw busyError();
    }, 100);
    const settled = assert.rejects(result, /database is locked/);
    await clock.runAllAsync();
    await settled;
    // Pauses of 1, 2, 4, 8, 16 ms, then 25 ms each: 100 ms is 8 attempts, then the last.
    assert.equal(calls, 9);
    assert.ok(Date.now() >= 100);
  });
});

Deno.test("retryWhileBusy() does not retry other errors", async () => {
  let calls = 0;
  await assert.rejects(
    retryWhileBusy(() => {
      calls++;
      throw new Error("syntax error");
    }, 1000),
    /syntax error/,
  );
  assert.equal(calls, 1);
});

Deno.test("NodeSqliteDriver creates the file's directories and uses WAL mode", async () => {
  await withTempDir(async (dir) => {
    const db = open(`${dir}/a/b/fnd.db`);
    try {
      const { rows } = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
      assert.equal(rows[0]?.journal_mode, "wal");
      const bound = await sql<{ v: number }>`select ${true} as v`.execute(db);
      assert.equal(bound.rows[0]?.v, 1);
    } finally {
      await db.destroy();
    }
    assert.ok((await Deno.stat(`${dir}/a/b/fnd.db`)).isFile);
  });
});

Deno.test("NodeSqliteDriver waits for another connection's write lock", async () => {
  await withTempDir(async (dir) => {
    const a = open(`${dir}/fnd.db`);
    const b = open(`${dir}/fnd.db`);
    try {
      await a.schema.createTable("t").addColumn("v", "text").execute();
      const holder = await holdWriteLock(a);
      const waiting = b.insertInto("t").values({ v: "waiter" }).execute();
      // Microtasks run before timers: the waiter has met the lock before this releases it.
      setTimeout(holder.release, 0);
      await Promise.all([holder.done, waiting]);
      const rows = await b.selectFrom("t").select("v").orderBy("v").execute();
      assert.deepEqual(rows.map((r) => r.v), ["holder", "waiter"]);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});

Deno.test("NodeSqliteDriver fails with SQLITE_BUSY when the lock outlasts busyTimeoutMs", async () => {
  await withTempDir(async (dir) => {
    const a = open(`${dir}/fnd.db`);
    const b = open(`${dir}/fnd.db`, 0);
    try {
      await a.schema.createTable("t").addColumn("v", "text").execute();
      const holder = await holdWriteLock(a);
      await assert.rejects(
        b.insertInto("t").values({ v: "waiter" }).execute(),
        (err: { errcode?: number }) => (err.errcode ?? 0) % 256 === 5,
      );
      holder.release();
      await holder.done;
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});

Deno.test("NodeSqliteDriver runs the transactions of one connection one at a time", async () => {
  await withTempDir(async (dir) => {
    const db = open(`${dir}/fnd.db`);
    try {
      await db.schema.createTable("t").addColumn("v", "text").execute();
      const holder = await holdWriteLock(db);
      const reader = db.transaction().execute((trx) => trx.selectFrom("t").selectAll().execute());
      setTimeout(holder.release, 0);
      await holder.done;
      assert.deepEqual((await reader).map((r) => r.v), ["holder"]);
    } finally {
      await db.destroy();
    }
  });
});

Deno.test("NodeSqliteDriver rejects a negative busyTimeoutMs", () => {
  assert.throws(
    () => new NodeSqliteDriver({ path: ":memory:", busyTimeoutMs: -1 }),
    /'busyTimeoutMs' must be >= 0: current value is -1/,
  );
});
