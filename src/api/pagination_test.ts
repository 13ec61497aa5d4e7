import assert from "node:assert/strict";
import { assertAPIError } from "../models/_assert_api_error.ts";
import {
  decodeCursor,
  encodeCursor,
  encodeListPage,
  parsePageQuery,
  parsePerPage,
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
  assert.equal(decodeCursor("YXBwMQ"), "app1");
  for (const name of ["ünï_-3", "日本", "a", "ab", "abc", "~~~?>"]) {
    assert.equal(decodeCursor(encodeCursor(name)), name);
  }
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
});

Deno.test("encodeListPage() adds next_cursor only on a full page", () => {
  const items = [{ name: "a" }, { name: "b" }];
  const enc = (i: { name: string }) => jsonValue(i.name);
  assert.equal(encodeListPage(items, 2, enc), '{"next_cursor":"Yg","items":["a","b"]}');
  assert.equal(encodeListPage(items, 3, enc), '{"items":["a","b"]}');
  assert.equal(encodeListPage([], 3, enc), '{"items":[]}');
});
