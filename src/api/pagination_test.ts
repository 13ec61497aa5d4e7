import assert from "node:assert/strict";
import { assertAPIError } from "../models/_assert_api_error.ts";
import {
  decodeCursor,
  encodeCursor,
  encodeListPage,
  parsePageQuery,
  parsePerPage,
  tieBreakingCursor,
} from "./pagination.ts";
import { jsonValue } from "./json_text.ts";

Deno.test("parsePerPage() follows Go's Atoi with Fn's default and cap", async (t) => {
  const cases: [string | null, number][] = [
    [null, 30],
    ["", 30],
    ["abc", 30],
    ["1.5", 30],
    [" 5", 30],
    ["0", 30],
    ["-3", 30],
    ["1", 1],
    ["+7", 7],
    ["007", 7],
    ["100", 100],
    ["101", 100],
    ["9223372036854775807", 100],
    ["9223372036854775808", 30],
  ];
  for (const [value, expected] of cases) {
    await t.step(
      `${JSON.stringify(value)} → ${expected}`,
      () => assert.equal(parsePerPage(value), expected),
    );
  }
});

Deno.test("encodeCursor() is base64url without padding of the name", () => {
  assert.equal(encodeCursor("app1"), "YXBwMQ");
  assert.deepEqual(decodeCursor("YXBwMQ"), { name: "app1" });
  for (const name of ["ünï_-3", "日本", "a", "ab", "abc", "~~~?>"]) {
    assert.deepEqual(decodeCursor(encodeCursor(name)), { name });
  }
});

Deno.test("encodeCursor() with an id makes a (name, id) cursor that decodes back", () => {
  const cursor = encodeCursor("a", "01M81MM5VMR00040J6M0000001");
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.equal(
    atob(cursor.replace(/-/g, "+").replace(/_/g, "/")),
    "a\0" + "01M81MM5VMR00040J6M0000001",
  );
  assert.deepEqual(decodeCursor(cursor), { name: "a", id: "01M81MM5VMR00040J6M0000001" });
  assert.deepEqual(decodeCursor(encodeCursor("日本", "")), { name: "日本", id: "" });
});

Deno.test("tieBreakingCursor() gives Fn's name cursor unless the next row has the same name", () => {
  const rows = [{ name: "a", id: "1" }, { name: "a", id: "2" }, { name: "a", id: "3" }];
  assert.equal(tieBreakingCursor(rows, 2)(rows[1]!), encodeCursor("a", "2"));
  assert.equal(tieBreakingCursor(rows, 3)(rows[2]!), encodeCursor("a"));
  const mixed = [{ name: "a", id: "1" }, { name: "b", id: "0" }];
  assert.equal(tieBreakingCursor(mixed, 1)(mixed[0]!), "YQ");
});

Deno.test("decodeCursor() gives 400 for what is not base64url", async (t) => {
  for (const bad of ["YXBwMQ==", "a", "YX+w", "YX/w", "!!!!"]) {
    await t.step(bad, () => {
      assertAPIError(
        () => decodeCursor(bad),
        400,
        `Invalid cursor "${bad}": pass the next_cursor value of the previous page unchanged`,
      );
    });
  }
});

Deno.test("parsePageQuery() reads per_page and cursor", () => {
  assert.deepEqual(parsePageQuery(new URLSearchParams("per_page=5&cursor=YXBwMQ")), {
    limit: 5,
    afterName: "app1",
  });
  assert.deepEqual(parsePageQuery(new URLSearchParams("cursor=")), { limit: 30 });
  assert.deepEqual(
    parsePageQuery(new URLSearchParams(`cursor=${encodeCursor("t", "ID")}`)),
    { limit: 30, afterName: "t", afterId: "ID" },
  );
});

Deno.test("encodeListPage() adds next_cursor only on a full page", () => {
  const items = [{ name: "a" }, { name: "b" }];
  const enc = (i: { name: string }) => jsonValue(i.name);
  assert.equal(encodeListPage(items, 2, enc), '{"next_cursor":"Yg","items":["a","b"]}');
  assert.equal(encodeListPage(items, 3, enc), '{"items":["a","b"]}');
  assert.equal(encodeListPage([], 3, enc), '{"items":[]}');
  assert.equal(
    encodeListPage(items, 2, enc, (last) => `after-${last.name}`),
    '{"next_cursor":"after-b","items":["a","b"]}',
  );
});
