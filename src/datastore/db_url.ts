/**
 * Parses `FN_DB_URL` in the forms Fn writes:
 * `sqlite3:///abs/path/fn.db`, `postgres://user:pass@host:5432/db?sslmode=disable`,
 * `mysql://user:pass@tcp(host:3306)/db` (a go-sql-driver DSN; `mysql://user:pass@host:3306/db`
 * is accepted too).
 *
 * @module
 */

/** A parsed database location. */
export type DbLocation =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres"; readonly connectionString: string }
  | {
    readonly dialect: "mysql";
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly database: string;
  };

/**
 * Parses a datastore URL.
 *
 * @throws {TypeError} with what forms are accepted, when the URL is not one of them
 */
export function parseDbUrl(url: string): DbLocation {
  const scheme = url.slice(0, Math.max(0, url.indexOf(":"))).toLowerCase();
  switch (scheme) {
    case "sqlite3":
    case "sqlite": {
      const path = url.replace(/^sqlite3?:\/\//i, "").replace(/\?.*$/, "");
      if (path === "") {
        throw new TypeError(`${url}: missing the file path (sqlite3:///abs/path.db)`);
      }
      return { dialect: "sqlite", path };
    }
    case "postgres":
    case "postgresql":
      return { dialect: "postgres", connectionString: url };
    case "mysql":
      return parseMysql(url);
    default:
      throw new TypeError(
        `${url}: expected sqlite3:///path/fn.db, postgres://user:pass@host:5432/db or mysql://user:pass@tcp(host:3306)/db`,
      );
  }
}

function parseMysql(url: string): DbLocation {
  const rest = url.slice("mysql://".length);
  // go-sql-driver form: user:pass@tcp(host:port)/db?params
  const dsn = /^(?:([^:@]*)(?::([^@]*))?@)?tcp\(([^)]*)\)\/([^?]*)/.exec(rest);
  if (dsn) {
    const [host, port] = splitHostPort(dsn[3] ?? "", 3306);
    return {
      dialect: "mysql",
      user: decodeURIComponent(dsn[1] ?? "root"),
      password: decodeURIComponent(dsn[2] ?? ""),
      host,
      port,
      database: dsn[4] ?? "",
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${url}: expected mysql://user:pass@tcp(host:3306)/db`);
  }
  return {
    dialect: "mysql",
    user: decodeURIComponent(parsed.username || "root"),
    password: decodeURIComponent(parsed.password),
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 3306,
    database: parsed.pathname.replace(/^\//, ""),
  };
}

function splitHostPort(hostPort: string, defaultPort: number): [string, number] {
  const i = hostPort.lastIndexOf(":");
  if (i < 0) return [hostPort || "127.0.0.1", defaultPort];
  const port = Number(hostPort.slice(i + 1));
  return [hostPort.slice(0, i) || "127.0.0.1", Number.isInteger(port) ? port : defaultPort];
}
