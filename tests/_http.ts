/**
 * Test helper: small HTTP calls against a running fnd, returning status, headers and
 * the body as text and (when it parses) JSON.
 *
 * @module
 */

/** A response read completely. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // deno-lint-ignore no-explicit-any
  readonly json: any;
}

/** Options of {@linkcode http}. */
export interface HttpOptions {
  /** A string is sent as is; anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly headers?: HeadersInit;
  /** Do not follow redirects (the default), or follow them. */
  readonly redirect?: RequestRedirect;
}

/** Sends one request to `base + path` and reads the whole response. */
export async function http(
  base: string,
  method: string,
  path: string,
  options: HttpOptions = {},
): Promise<HttpResult> {
  const body = options.body === undefined
    ? undefined
    : typeof options.body === "string" || options.body instanceof Uint8Array ||
        options.body instanceof ReadableStream
    ? options.body as BodyInit
    : JSON.stringify(options.body);
  const res = await fetch(base + path, {
    method,
    body,
    headers: options.headers,
    redirect: options.redirect ?? "manual",
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON.
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A client bound to one base URL. */
export interface Client {
  get(path: string, options?: HttpOptions): Promise<HttpResult>;
  post(path: string, body?: unknown, options?: HttpOptions): Promise<HttpResult>;
  put(path: string, body?: unknown, options?: HttpOptions): Promise<HttpResult>;
  delete(path: string, options?: HttpOptions): Promise<HttpResult>;
  request(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
}

/** A {@linkcode Client} for `base`. */
export function client(base: string): Client {
  return {
    get: (path, options) => http(base, "GET", path, options),
    post: (path, body, options) => http(base, "POST", path, { ...options, body }),
    put: (path, body, options) => http(base, "PUT", path, { ...options, body }),
    delete: (path, options) => http(base, "DELETE", path, options),
    request: (method, path, options) => http(base, method, path, options),
  };
}

/** The error body fnd sends: `{"message":"…"}` and a newline. */
export function errorText(message: string): string {
  return JSON.stringify({ message }) + "\n";
}

/**
 * Asserts an fnd error response: status, `{"message":…}\n` body, JSON content type.
 *
 * @throws {Error} (an assertion error) when any part differs
 */
export function assertError(res: HttpResult, status: number, message: string): void {
  // One JSON document and a newline (Go may escape <, >, & as \u003c…, which parses
  // to the same text).
  const single = res.text.endsWith("}\n") && res.text.indexOf("\n") === res.text.length - 1;
  const got = `${res.status} ${single ? JSON.stringify(res.json) : res.text}`;
  const want = `${status} ${JSON.stringify({ message })}`;
  if (got !== want) {
    throw new Error(`expected ${JSON.stringify(want)}\n     got ${JSON.stringify(got)}`);
  }
  const type = res.headers.get("content-type");
  if (type !== "application/json; charset=utf-8") {
    throw new Error(`expected a JSON content type on the error, got ${type}`);
  }
}
