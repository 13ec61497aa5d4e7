/**
 * Test helpers that start real database servers on loopback, each in its own temp dir on
 * a free port, and hand out `FN_DB_URL`-style URLs of fresh empty databases:
 *
 * ```ts
 * await using pg = await startPostgres();
 * const url = await pg.createDatabase(); // postgres://postgres@127.0.0.1:PORT/fnd_2?sslmode=disable
 * ```
 *
 * Disposing a server stops it and deletes its files, also when the test failed. The
 * binaries come from `scripts/setup.sh --test` (Debian's postgresql-15 and mariadb-server).
 *
 * @module
 */

// @ts-types="@types/pg"
import pg from "pg";
import { createConnection } from "mysql2/promise";

/** A running database server (or SQLite directory) that tests can create databases in. */
export interface TestDatabaseServer extends AsyncDisposable {
  /** Which `FN_DB_URL` scheme the URLs use. */
  readonly dialect: "sqlite" | "postgres" | "mysql";
  /** URL of the empty database created at start. */
  readonly url: string;
  /** Creates another empty database and returns its URL. */
  createDatabase(): Promise<string>;
}

const PG_BIN = "/usr/lib/postgresql/15/bin";
const START_TIMEOUT_MS = 60_000;
const MARIADB_USER = "fnd";
const MARIADB_PASSWORD = "fnd-secret";

/** A free loopback TCP port (bound once and released, so a race is very unlikely). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    throw new Error(`${what}: cannot run ${cmd} (${err}); run scripts/setup.sh --test first`);
  }
  if (!out.success) {
    const dec = new TextDecoder();
    throw new Error(
      `${what} failed (exit ${out.code}):\n${dec.decode(out.stdout)}${dec.decode(out.stderr)}`,
    );
  }
}

async function removeDir(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** An SQLite "server": a temp directory in which each database is a new file. */
export async function startSqlite(): Promise<TestDatabaseServer> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-sqlite-" });
  let n = 0;
  const createDatabase = () => Promise.resolve(`sqlite3://${dir}/db/fnd_${++n}.db`);
  return {
    dialect: "sqlite",
    url: await createDatabase(),
    createDatabase,
    [Symbol.asyncDispose]: () => removeDir(dir),
  };
}

function asPostgres(bin: string, args: string[], what: string): Promise<void> {
  return run("runuser", ["-u", "postgres", "--", `${PG_BIN}/${bin}`, ...args], what);
}

/** initdb + `pg_ctl start` in `dir` (owned by `postgres`); returns the port. */
async function initAndStartPostgres(dir: string): Promise<number> {
  await run("chown", ["postgres:postgres", dir], "chown of the PostgreSQL temp dir");
  const data = `${dir}/data`;
  await asPostgres(
    "initdb",
    ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
    "initdb",
  );
  const port = freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
  ].join(" ");
  const timeoutS = String(START_TIMEOUT_MS / 1000);
  await asPostgres(
    "pg_ctl",
    ["-D", data, "-l", `${dir}/server.log`, "-w", "-t", timeoutS, "-o", serverOptions, "start"],
    `pg_ctl start (log: ${dir}/server.log)`,
  );
  return port;
}

async function stopPostgres(dir: string): Promise<void> {
  // A server that never started makes pg_ctl fail; there is nothing to stop then.
  await asPostgres("pg_ctl", ["-D", `${dir}/data`, "-m", "immediate", "stop"], "pg_ctl stop")
    .catch(() => {});
}

/**
 * Starts PostgreSQL 15 as user `postgres` (initdb + pg_ctl) on a free loopback port with
 * trust authentication; the first database is created at start.
 *
 * @throws {Error} with the server's output when it does not start
 */
export async function startPostgres(): Promise<TestDatabaseServer> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-pg-" });
  const dispose = async () => {
    await stopPostgres(dir);
    await removeDir(dir);
  };
  try {
    const port = await initAndStartPostgres(dir);
    const base = `postgres://postgres@127.0.0.1:${port}`;
    let n = 0;
    const createDatabase = async (): Promise<string> => {
      const name = `fnd_${++n}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${base}/${name}?sslmode=disable`;
    };
    const url = await createDatabase();
    return { dialect: "postgres", url, createDatabase, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** `mariadb-install-db` + `mariadbd` in `dir`, with user `fnd`; resolves once it is ready. */
async function installAndStartMariaDb(dir: string, port: number): Promise<Deno.ChildProcess> {
  await run("mariadb-install-db", [
    "--no-defaults",
    `--datadir=${dir}/data`,
    "--user=root",
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ], "mariadb-install-db");
  await Deno.writeTextFile(
    `${dir}/init.sql`,
    `CREATE USER IF NOT EXISTS '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}';\n` +
      `GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_USER}'@'%';\n`,
  );
  const child = new Deno.Command("mariadbd", {
    args: [
      "--no-defaults",
      "--user=root",
      `--datadir=${dir}/data`,
      `--socket=${dir}/mariadb.sock`,
      `--pid-file=${dir}/mariadb.pid`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--init-file=${dir}/init.sql`,
      "--skip-name-resolve",
      "--skip-log-bin",
      "--innodb-buffer-pool-size=32M",
      "--innodb-flush-log-at-trx-commit=0",
      "--max-connections=500",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await waitForLine(child, /ready for connections/, "mariadbd");
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return child;
}

/**
 * Starts MariaDB (`mariadb-install-db` + `mariadbd`) on a free loopback port with a user
 * `fnd` that may create databases; the first database is created at start.
 *
 * @throws {Error} with the server's output when it does not start
 */
export async function startMariaDb(): Promise<TestDatabaseServer> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-mariadb-" });
  let child: Deno.ChildProcess | undefined;
  const dispose = async () => {
    if (child) await stopChild(child);
    await removeDir(dir);
  };
  try {
    const port = freePort();
    child = await installAndStartMariaDb(dir, port);
    const base = `mysql://${MARIADB_USER}:${MARIADB_PASSWORD}@tcp(127.0.0.1:${port})`;
    let n = 0;
    const createDatabase = async (): Promise<string> => {
      const name = `fnd_${++n}`;
      const conn = await createConnection({
        host: "127.0.0.1",
        port,
        user: MARIADB_USER,
        password: MARIADB_PASSWORD,
      });
      try {
        await conn.query(`CREATE DATABASE ${name}`);
      } finally {
        await conn.end();
      }
      return `${base}/${name}`;
    };
    const url = await createDatabase();
    return { dialect: "mysql", url, createDatabase, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function stopChild(child: Deno.ChildProcess): Promise<void> {
  try {
    // The data is thrown away, so there is nothing to flush: SIGKILL is the quick way.
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
}

/**
 * Reads `child`'s stderr until a line matches `ready`, then keeps draining it in the
 * background (a full pipe would block the server).
 */
async function waitForLine(child: Deno.ChildProcess, ready: RegExp, what: string): Promise<void> {
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const seen: string[] = [];
  let buffer = "";
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    lines.cancel().catch(() => {});
  }, START_TIMEOUT_MS);
  try {
    while (true) {
      const { value, done } = await lines.read();
      if (done) break;
      buffer += value;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      seen.push(...parts);
      if (parts.some((line) => ready.test(line))) {
        drain(lines);
        return;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) seen.push(`(no "${ready.source}" within ${START_TIMEOUT_MS} ms)`);
  throw new Error(`${what} did not start:\n${seen.slice(-30).join("\n")}${buffer}`);
}

function drain(reader: ReadableStreamDefaultReader<string>): void {
  (async () => {
    try {
      while (!(await reader.read()).done) {
        // Discard.
      }
    } catch {
      // The process was killed.
    }
  })();
}
