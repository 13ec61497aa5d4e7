/**
 * JSON numbers that keep their spelling. Fn stores an annotation value as its raw JSON
 * text (`api-v2.md` §3.4), so `12345678901234567890`, `1e400` and `1.0` come back as
 * sent; a JS number would turn them into `12345678901234567000`, `null` and `1`.
 *
 * A number whose JS value prints exactly as it was written (`42`, `1.5`) stays a plain
 * number; any other becomes a raw JSON value (`JSON.rawJSON`), which `JSON.stringify`
 * writes verbatim, so sizes, equality and output all see the original text.
 *
 * @module
 */

/** A number kept as its JSON text; `JSON.stringify` writes `rawJSON` unchanged. */
export interface RawJsonNumber {
  readonly rawJSON: string;
}

/** What JSON.parse's reviver is given beside the value (ES2025 "source text access"). */
interface ReviverContext {
  readonly source?: string;
}

// The standard library types of this TypeScript do not declare these yet.
const ExactJSON = JSON as unknown as {
  rawJSON(text: string): RawJsonNumber;
  isRawJSON(value: unknown): boolean;
  parse(
    text: string,
    reviver: (key: string, value: unknown, context: ReviverContext) => unknown,
  ): unknown;
};

/**
 * The value of the JSON number literal `raw` (e.g. `"1e400"`): a JS number when it
 * prints back as `raw`, else a {@linkcode RawJsonNumber} of `raw`.
 *
 * @throws {SyntaxError} when `raw` is not a JSON number literal
 */
export function exactJsonNumber(raw: string): number | RawJsonNumber {
  const value = Number(raw);
  return String(value) === raw ? value : ExactJSON.rawJSON(raw);
}

/** Whether `value` is a number kept as its text by {@linkcode exactJsonNumber}. */
export function isRawJsonNumber(value: unknown): value is RawJsonNumber {
  return ExactJSON.isRawJSON(value);
}

/**
 * `JSON.parse` that keeps every number's spelling (see {@linkcode exactJsonNumber}).
 *
 * @throws {SyntaxError} when `text` is not JSON
 */
export function parseJsonExact(text: string): unknown {
  return ExactJSON.parse(
    text,
    (_key, value, context) =>
      typeof value === "number" && context.source !== undefined
        ? exactJsonNumber(context.source)
        : value,
  );
}
