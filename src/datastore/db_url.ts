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

/** `scheme:` or `scheme://`, then `user:password@`; the password runs to the last `@`. */
const CREDENTIALS = /^([a-z][a-z0-9+.-]*:(?:\/\/)?[^:@/]*:)(.*)@/is;

/**
 * `url` with its password replaced by `***`, for messages and logs:
 * `mysql://u:s3cret@tcp(h:3306)/db` gives `mysql://u:***@tcp(h:3306)/db`. The password
 * is taken to run to the last `@`, as the Go MySQL driver reads it, so a raw `@` or `/`
 * in it cannot leak the rest (an `@` further on hides more than the password, never less).
 */
export function redactDbUrl(url: string): string {
  return url.replace(CREDENTIALS, "$1***@");
}

/**
 * Parses a datastore URL.
 *
 * @throws {TypeError} with what forms are accepted, when the URL is not one of them; the
 *   message starts with the URL as {@linkcode redactDbUrl} shows it, then `: `
 */
export function parseDbUrl(url: string): DbLocation {
  const scheme = url.slice(0, Math.max(0, url.indexOf(":"))).toLowerCase();
  const shown = redactDbUrl(url);
  switch (scheme) {
    case "sqlite3":
    case "sqlite": {
      const path = url.replace(/^sqlite3?:\/\//i, "").replace(/\?.*$/, "");
      if (path === "") {
        throw new TypeError(`${shown}: missing the file path (sqlite3:///abs/path.db)`);
      }
      return { dialect: "sqlite", path };
    }
    case "postgres":
    case "postgresql":
      return { dialect: "postgres", connectionString: url };
    case "mysql":
      return parseMysql(url, shown);
    default:
      throw new TypeError(
        `${shown}: expected sqlite3:///path/fn.db, postgres://user:pass@host:5432/db or mysql://user:pass@tcp(host:3306)/db`,
      );
  }
}

function parseMysql(url: string, shown: string): DbLocation {
  const rest = url.slice("mysql://".length);
  if (/^(?:.*@)?unix\(/.test(rest)) {
    throw new TypeError(
      `${shown}: unix sockets are not supported; use mysql://user:pass@tcp(host:3306)/db`,
    );
  }
  // go-sql-driver form: user:pass@tcp(host:port)/db?params. The password is taken
  // verbatim up to the last "@" before "tcp(", as the Go driver does (no %-decoding).
  const dsn = /^(?:(.*)@)?tcp\(([^)]*)\)\/([^?]*)/.exec(rest);
  if (dsn) {
    const credentials = dsn[1] ?? "";
    const colon = credentials.indexOf(":");
    const [host, port] = splitHostPort(dsn[2] ?? "", 3306);
    return mysqlLocation(shown, {
      user: (colon < 0 ? credentials : credentials.slice(0, colon)) || "root",
      password: colon < 0 ? "" : credentials.slice(colon + 1),
      host,
      port,
      database: dsn[3] ?? "",
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${shown}: expected mysql://user:pass@tcp(host:3306)/db`);
  }
  return mysqlLocation(shown, {
    user: decodeUrlPart(shown, "user name", parsed.username) || "root",
    password: decodeUrlPart(shown, "password", parsed.password),
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 3306,
    database: decodeUrlPart(shown, "database name", parsed.pathname.replace(/^\//, "")),
  });
}

function mysqlLocation(
  shown: string,
  parts: { user: string; password: string; host: string; port: number; database: string },
): DbLocation {
  if (parts.database === "") {
    throw new TypeError(
      `${shown}: missing the database name (mysql://user:pass@tcp(host:3306)/db)`,
    );
  }
  if (!Number.isInteger(parts.port) || parts.port < 1 || parts.port > 65535) {
    throw new TypeError(
      `${shown}: the port must be 1..65535 (mysql://user:pass@tcp(host:3306)/db)`,
    );
  }
  return { dialect: "mysql", ...parts };
}

function decodeUrlPart(shown: string, what: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    // The part itself is not quoted: it may be the password.
    throw new TypeError(`${shown}: bad %-escape in the ${what} (write "%" as %25)`);
  }
}

function splitHostPort(hostPort: string, defaultPort: number): [string, number] {
  const i = hostPort.lastIndexOf(":");
  if (i < 0) return [hostPort || "127.0.0.1", defaultPort];
  const portText = hostPort.slice(i + 1);
  // A bad port stays NaN so that mysqlLocation() reports it rather than guessing.
  const port = portText === "" ? defaultPort : Number(portText);
  return [hostPort.slice(0, i) || "127.0.0.1", port];
}
