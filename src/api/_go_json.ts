/**
 * A JSON reader that sees request bodies the way Go's `encoding/json` Decoder does
 * (`api-v2.md` §1.1): it reads only the first value and ignores what follows, keeps
 * object entries in order (so the last of repeated keys can win), and keeps numbers as
 * their literal text so integer fields can apply Go's rules.
 *
 * @module
 */

import { exactJsonNumber } from "../models/exact_json.ts";

/** A parsed JSON value. */
export type JsonNode =
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: "array"; readonly items: readonly JsonNode[] }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly raw: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "null" };

/** Thrown for any input that is not a JSON value (Fn answers it with `Invalid JSON`). */
export class JsonSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
  }
}

const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Parses the first JSON value in `text`; anything after it is ignored.
 *
 * @throws {JsonSyntaxError} when `text` does not start with a complete JSON value
 */
export function parseFirstJsonValue(text: string): JsonNode {
  return new Reader(text).value(0);
}

/**
 * Converts a node to a plain JS value. Numbers keep their spelling (see
 * `models/exact_json.ts`): a JS number when it prints back as written, else a raw JSON
 * value that `JSON.stringify` writes verbatim (`12345678901234567890`, `1e400`, `1.0`).
 */
export function jsonNodeToValue(node: JsonNode): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(node.entries.map(([k, v]) => [k, jsonNodeToValue(v)]));
    case "array":
      return node.items.map(jsonNodeToValue);
    case "number":
      return exactJsonNumber(node.raw);
    case "null":
      return null;
    default:
      return node.value;
  }
}

class Reader {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  #fail(message: string): never {
    throw new JsonSyntaxError(message, this.#pos);
  }

  #skipSpace(): void {
    while (/[ \t\n\r]/.test(this.#text[this.#pos] ?? "")) this.#pos++;
  }

  #literal(word: string): void {
    if (!this.#text.startsWith(word, this.#pos)) this.#fail("invalid literal");
    this.#pos += word.length;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.#fail("exceeded max depth");
    this.#skipSpace();
    const c = this.#text[this.#pos];
    switch (c) {
      case "{":
        return this.#object(depth);
      case "[":
        return this.#array(depth);
      case '"':
        return { kind: "string", value: this.#string() };
      case "t":
        this.#literal("true");
        return { kind: "boolean", value: true };
      case "f":
        this.#literal("false");
        return { kind: "boolean", value: false };
      case "n":
        this.#literal("null");
        return { kind: "null" };
      case undefined:
        return this.#fail("unexpected end of JSON input");
      default:
        return this.#number();
    }
  }

  #number(): JsonNode {
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(this.#text);
    if (match === null) this.#fail("invalid character looking for beginning of value");
    this.#pos += match[0].length;
    return { kind: "number", raw: match[0] };
  }

  #object(depth: number): JsonNode {
    this.#pos++;
    const entries: [string, JsonNode][] = [];
    this.#skipSpace();
    if (this.#text[this.#pos] === "}") {
      this.#pos++;
      return { kind: "object", entries };
    }
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#pos] !== '"') this.#fail("expected a string key");
      const key = this.#string();
      this.#skipSpace();
      if (this.#text[this.#pos] !== ":") this.#fail("expected ':' after object key");
      this.#pos++;
      entries.push([key, this.value(depth + 1)]);
      this.#skipSpace();
      const next = this.#text[this.#pos++];
      if (next === "}") return { kind: "object", entries };
      if (next !== ",") this.#fail("expected ',' or '}' after object value");
    }
  }

  #array(depth: number): JsonNode {
    this.#pos++;
    const items: JsonNode[] = [];
    this.#skipSpace();
    if (this.#text[this.#pos] === "]") {
      this.#pos++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.#skipSpace();
      const next = this.#text[this.#pos++];
      if (next === "]") return { kind: "array", items };
      if (next !== ",") this.#fail("expected ',' or ']' after array element");
    }
  }

  #string(): string {
    this.#pos++;
    let out = "";
    let start = this.#pos;
    for (;;) {
      const c = this.#text[this.#pos];
      if (c === undefined) this.#fail("unexpected end of string");
      if (c === '"') break;
      if (c < " ") this.#fail("invalid control character in string");
      if (c !== "\\") {
        this.#pos++;
        continue;
      }
      out += this.#text.slice(start, this.#pos);
      out += this.#escape();
      start = this.#pos;
    }
    out += this.#text.slice(start, this.#pos);
    this.#pos++;
    return out;
  }

  #escape(): string {
    const e = this.#text[this.#pos + 1] ?? "";
    if (e === "u") {
      const hex = this.#text.slice(this.#pos + 2, this.#pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail("invalid \\u escape");
      this.#pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const simple = ESCAPES[e];
    if (simple === undefined) this.#fail("invalid escape in string");
    this.#pos += 2;
    return simple;
  }
}
