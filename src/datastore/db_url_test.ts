import assert from "node:assert/strict";
import { type DbLocation, parseDbUrl, redactDbUrl } from "./db_url.ts";

Deno.test("parseDbUrl() reads the forms Fn writes", async (t) => {
  const cases: [string, DbLocation][] = [
    ["sqlite3:///data/fn.db", { dialect: "sqlite", path: "/data/fn.db" }],
    ["sqlite:///data/fn.db?_busy_timeout=5000", { dialect: "sqlite", path: "/data/fn.db" }],
    [
      "postgres://u:p@db:5432/fn?sslmode=disable",
      { dialect: "postgres", connectionString: "postgres://u:p@db:5432/fn?sslmode=disable" },
    ],
    [
      "mysql://fn:secret@tcp(db.local:3307)/fndb?parseTime=true",
      {
        dialect: "mysql",
        user: "fn",
        password: "secret",
        host: "db.local",
        port: 3307,
        database: "fndb",
      },
    ],
    [
      "mysql://tcp(db)/fndb",
      { dialect: "mysql", user: "root", password: "", host: "db", port: 3306, database: "fndb" },
    ],
    [
      "mysql://fn@tcp(127.0.0.1:3306)/x",
      {
        dialect: "mysql",
        user: "fn",
        password: "",
        host: "127.0.0.1",
        port: 3306,
        database: "x",
      },
    ],
    [
      "mysql://fn:p@ss:w%rd@tcp(h:1)/x",
      { dialect: "mysql", user: "fn", password: "p@ss:w%rd", host: "h", port: 1, database: "x" },
    ],
    [
      "mysql://fn:p%40ss@h:3308/x",
      { dialect: "mysql", user: "fn", password: "p@ss", host: "h", port: 3308, database: "x" },
    ],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => assert.deepEqual(parseDbUrl(url), want));
  }
});

Deno.test("parseDbUrl() rejects bad URLs with the forms it accepts", async (t) => {
  const cases: [string, RegExp][] = [
    ["redis://x", /expected sqlite3:\/\/\/path\/fn\.db/],
    ["sqlite3://", /missing the file path/],
    ["mysql://u:p@tcp(h:3306)/", /missing the database name/],
    ["mysql://u:p@tcp(h:x)/db", /port must be 1\.\.65535/],
    ["mysql://u:p@unix(/run/mysqld.sock)/db", /unix sockets are not supported/],
    ["mysql://u:%zz@h/db", /bad %-escape/],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => {
      assert.throws(() => parseDbUrl(url), (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.match(err.message, want);
        assert.ok(err.message.startsWith(`${redactDbUrl(url)}: `), "config.ts strips this");
        return true;
      });
    });
  }
});

Deno.test("parseDbUrl() never puts the password in its message", async (t) => {
  const urls = [
    "mysql://u:s3cret@tcp(h:99999)/db",
    "mysql://u:s3cret@tcp(h:3306)/",
    "mysql://u:s3cret@unix(/run/mysqld.sock)/db",
    "mysql://u:s3cret%zz@h/db",
    "mysql://u:s3/cr@et@tcp(h:0)/db",
    "redis://u:s3cret@h/0",
  ];
  for (const url of urls) {
    await t.step(url, () => {
      assert.throws(() => parseDbUrl(url), (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.doesNotMatch(err.message, /s3|cr@et|zz/);
        assert.match(err.message, /u:\*\*\*@/);
        return true;
      });
    });
  }
});

Deno.test("redactDbUrl() masks the password up to the last @, and nothing else", async (t) => {
  const cases: [string, string][] = [
    ["mysql://u:s3cret@tcp(h:99999)/db", "mysql://u:***@tcp(h:99999)/db"],
    ["mysql://u:p@ss/w@rd@tcp(h:1)/db", "mysql://u:***@tcp(h:1)/db"],
    [
      "postgres://u:p@w:rd@db:5432/fn?sslmode=disable",
      "postgres://u:***@db:5432/fn?sslmode=disable",
    ],
    ["postgres://:pw@db/fn", "postgres://:***@db/fn"],
    ["mysql:u:pw@tcp(h)/db", "mysql:u:***@tcp(h)/db"],
    ["postgres://u@db:5432/fn", "postgres://u@db:5432/fn"],
    ["mysql://tcp(h:3306)/db", "mysql://tcp(h:3306)/db"],
    ["sqlite3:///data/fn.db", "sqlite3:///data/fn.db"],
  ];
  for (const [url, want] of cases) {
    await t.step(url, () => assert.equal(redactDbUrl(url), want));
  }
});
