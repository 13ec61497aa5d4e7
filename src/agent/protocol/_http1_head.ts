/**
 * HTTP/1.1 message heads as bytes (RFC 9112): the request head fnd writes to a
 * function's socket and the response head it reads back, with the body framing and
 * connection reuse the head implies. Header bytes are Latin-1, as on the wire.
 *
 * @module
 */

/** How a response body is delimited (RFC 9112 §6.3). */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  /** `[name, value, name, value, ...]` in the order received. */
  readonly rawHeaders: readonly string[];
  readonly framing: BodyFraming;
  /** Whether the connection may carry another request once the body is read. */
  readonly keepAlive: boolean;
}

/** A response that is not valid HTTP/1.x. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
  }
}

/** The response head is larger than allowed (Go's wording, which Fn matches on). */
export class ResponseHeadTooLargeError extends Error {
  constructor(limit: number) {
    super(`server response headers exceeded ${limit} bytes`);
    this.name = "ResponseHeadTooLargeError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` as Latin-1 bytes (header strings are ByteStrings: every code unit ≤ 0xFF). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // ASCII (nearly always) takes the native encoder; the loop only checks.
    if (code > 0x7f) return latin1Slow(text, out);
  }
  return encoder.encodeInto(text, out).written === text.length ? out : latin1Slow(text, out);
}

function latin1Slow(text: string, out: Uint8Array): Uint8Array {
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** `bytes` as Latin-1 text (not windows-1252, which `TextDecoder("latin1")` means). */
export function latin1Text(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return decoder.decode(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** The bytes of `POST <path> HTTP/1.1` with `headers` (values must not contain CR or LF). */
export function encodeRequestHead(
  path: string,
  headers: Iterable<readonly [string, string]>,
): Uint8Array {
  let text = `POST ${path} HTTP/1.1\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return latin1Bytes(text + "\r\n");
}

/**
 * Where the head in `bytes` ends: the index just past the blank line (CRLF CRLF, or bare
 * LFs as Go and Node also accept), or -1 when it has not arrived yet. `from` skips bytes
 * already searched.
 */
export function headEnd(bytes: Uint8Array, from = 0): number {
  let i = bytes.indexOf(10, Math.max(0, from - 2));
  while (i >= 0) {
    const next = bytes[i + 1];
    if (next === 10) return i + 2;
    if (next === 13 && bytes[i + 2] === 10) return i + 3;
    i = bytes.indexOf(10, i + 1);
  }
  return -1;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?:[ \t].*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a complete head (status line through the blank line).
 *
 * @throws {MalformedResponseError} on anything that is not HTTP/1.x
 */
export function parseResponseHead(bytes: Uint8Array): ResponseHead {
  const lines = latin1Text(bytes).split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  const statusLine = lines[0] ?? "";
  const m = STATUS_LINE.exec(statusLine);
  if (m === null) {
    throw new MalformedResponseError(
      `malformed HTTP response ${JSON.stringify(statusLine.slice(0, 100))}`,
    );
  }
  const rawHeaders = parseHeaderLines(lines.slice(1));
  const status = Number(m[2]);
  const framingHeaders = framingHeadersOf(rawHeaders);
  const framing = framingOf(status, framingHeaders);
  const connection = framingHeaders.connection.join(",").toLowerCase();
  const keepAlive = framing.kind !== "close" &&
    (m[1] === "1" ? !/(^|,)\s*close\s*(,|$)/.test(connection) : connection.includes("keep-alive"));
  return { status, rawHeaders, framing, keepAlive };
}

/** The values of the headers that decide framing and reuse, in the order received. */
interface FramingHeaders {
  readonly transferEncoding: string[];
  readonly contentLength: string[];
  readonly connection: string[];
}

/** One pass over the headers (each name lower-cased once). */
function framingHeadersOf(raw: readonly string[]): FramingHeaders {
  const found: FramingHeaders = { transferEncoding: [], contentLength: [], connection: [] };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // Only names of these lengths can match; most headers are skipped unlowered.
    if (name.length !== 17 && name.length !== 14 && name.length !== 10) continue;
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding") found.transferEncoding.push(raw[i + 1]!);
    else if (lower === "content-length") found.contentLength.push(raw[i + 1]!);
    else if (lower === "connection") found.connection.push(raw[i + 1]!);
  }
  return found;
}

function parseHeaderLines(lines: readonly string[]): string[] {
  const raw: string[] = [];
  for (const line of lines) {
    if (line === "") break;
    if (line[0] === " " || line[0] === "\t") {
      // obs-fold: a continuation of the previous value, joined with a space as Go does
      if (raw.length === 0) {
        throw new MalformedResponseError("malformed MIME header: leading space");
      }
      raw[raw.length - 1] = `${raw[raw.length - 1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new MalformedResponseError(
        `malformed MIME header line: ${JSON.stringify(line.slice(0, 100))}`,
      );
    }
    raw.push(name, line.slice(colon + 1).trim());
  }
  return raw;
}

function framingOf(status: number, headers: FramingHeaders): BodyFraming {
  if (status < 200 || status === 204 || status === 304) return { kind: "none" };
  const te = headers.transferEncoding;
  if (te.length > 0) {
    const codings = te.join(",").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c);
    // Only a final `chunked` delimits the body; anything else runs to the close.
    return codings[codings.length - 1] === "chunked" ? { kind: "chunked" } : { kind: "close" };
  }
  const lengths = new Set(
    headers.contentLength.flatMap((v) => v.split(",")).map((v) => v.trim()),
  );
  if (lengths.size === 0) return { kind: "close" };
  const [length] = lengths;
  if (lengths.size > 1 || !/^\d{1,15}$/.test(length!)) {
    throw new MalformedResponseError(`bad Content-Length ${JSON.stringify([...lengths])}`);
  }
  return { kind: "length", length: Number(length) };
}
