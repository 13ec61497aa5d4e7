/**
 * Writing JSON the way Fn's Go server does: fields in a fixed order, map keys sorted
 * byte-wise (UTF-8, i.e. by code point), `<`, `>`, `&`, U+2028 and U+2029 escaped.
 * Plain JS objects cannot do this (integer-like keys always enumerate first), so
 * entities are written as text from ordered parts.
 *
 * @module
 */

/** JSON text of one value; build objects with {@linkcode jsonObject}. */
export type JsonText = string & { readonly __jsonText: unique symbol };

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Serializes a plain value with `JSON.stringify`, then applies Go's HTML-safe escapes.
 * The escaped characters only ever appear inside JSON strings, so the replacement
 * cannot change structure. Exact JSON numbers (`models/exact_json.ts`) are written as
 * they were read.
 */
export function jsonValue(value: unknown): JsonText {
  const text = JSON.stringify(value) ?? "null";
  return text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c) as JsonText;
}

/** Compares strings by code point, which is the byte order of their UTF-8 encodings. */
export function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** An object from ordered fields; fields whose text is `undefined` are left out. */
export function jsonObject(fields: readonly (readonly [string, JsonText | undefined])[]): JsonText {
  const parts: string[] = [];
  for (const [key, text] of fields) {
    if (text !== undefined) parts.push(`${jsonValue(key)}:${text}`);
  }
  return `{${parts.join(",")}}` as JsonText;
}

/** An object from a record, keys sorted byte-wise as Go sorts map keys. */
export function jsonSortedMap(record: Readonly<Record<string, unknown>>): JsonText {
  const keys = Object.keys(record).sort(compareCodePoints);
  return jsonObject(keys.map((k) => [k, jsonValue(record[k])]));
}

/** A JSON array of already serialized items. */
export function jsonArray(items: readonly JsonText[]): JsonText {
  return `[${items.join(",")}]` as JsonText;
}

/** A 200 response with Fn's JSON content type and no trailing newline. */
export function jsonResponse(body: JsonText, status = 200): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
