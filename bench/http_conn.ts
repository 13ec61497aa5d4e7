/**
 * A minimal keep-alive HTTP/1.1 client connection over TCP or a Unix socket, for the
 * load generator: one request at a time, bodies as bytes, response bodies counted (not
 * kept) unless asked for. Written directly on `Deno.connect` so that the generator costs
 * the same per call against fnd and against a function's socket, and far less than
 * either.
 *
 * @module
 */

/** Where to connect. */
export type Target =
  | { readonly hostname: string; readonly port: number }
  | { readonly path: string };

/** One response. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Body length in bytes. */
  readonly bodyBytes: number;
  /** The body, when `keepBody` was asked for. */
  readonly body?: Uint8Array;
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** One kept-alive connection. */
export class HttpConn {
  readonly #conn: Deno.Conn;
  readonly #host: string;
  #buf = new Uint8Array(0);
  readonly #chunk = new Uint8Array(64 * 1024);

  private constructor(conn: Deno.Conn, host: string) {
    this.#conn = conn;
    this.#host = host;
  }

  /** Connects to `target`. */
  static async open(target: Target): Promise<HttpConn> {
    if ("path" in target) {
      return new HttpConn(
        await Deno.connect({ transport: "unix", path: target.path }),
        "localhost",
      );
    }
    const conn = await Deno.connect({ hostname: target.hostname, port: target.port });
    conn.setNoDelay(true);
    return new HttpConn(conn, `${target.hostname}:${target.port}`);
  }

  /**
   * Sends one request and reads the whole response, closing the connection when that
   * takes longer than `timeoutMs`.
   *
   * @throws {Error} when the connection breaks (or times out) or the response is malformed
   */
  async request(
    method: string,
    path: string,
    headers: Readonly<Record<string, string>> = {},
    body?: Uint8Array,
    keepBody = false,
    timeoutMs = 60_000,
  ): Promise<HttpAnswer> {
    // A stuck exchange fails (the connection is closed) instead of hanging the bench.
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      return await this.#exchange(method, path, headers, body, keepBody);
    } finally {
      clearTimeout(timer);
    }
  }

  async #exchange(
    method: string,
    path: string,
    headers: Readonly<Record<string, string>>,
    body: Uint8Array | undefined,
    keepBody: boolean,
  ): Promise<HttpAnswer> {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.#host}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += `content-length: ${body?.length ?? 0}\r\n\r\n`;
    const headBytes = encoder.encode(head);
    if (body === undefined || body.length < 16 * 1024) {
      const all = new Uint8Array(headBytes.length + (body?.length ?? 0));
      all.set(headBytes);
      if (body) all.set(body, headBytes.length);
      await this.#writeAll(all);
      return await this.#readResponse(method, keepBody);
    }
    // A large body is written while the response is read: a server that streams its
    // answer (an echo) before the upload ends would otherwise wait on us forever.
    const writing = this.#writeAll(headBytes).then(() => this.#writeAll(body));
    const [answer] = await Promise.all([this.#readResponse(method, keepBody), writing]);
    return answer;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /** Reads more bytes into the buffer; false at EOF. */
  async #fill(): Promise<boolean> {
    const n = await this.#conn.read(this.#chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(this.#chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  async #readResponse(method: string, keepBody: boolean): Promise<HttpAnswer> {
    let end: number;
    while ((end = indexOf(this.#buf, CRLF2)) < 0) {
      if (!(await this.#fill())) throw new Error("connection closed before the response head");
    }
    const lines = decoder.decode(this.#buf.subarray(0, end)).split("\r\n");
    this.#buf = this.#buf.subarray(end + 4);
    const status = Number(lines[0]?.split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const parts: Uint8Array[] = [];
    let bodyBytes = 0;
    const take = (n: number) => {
      if (keepBody) parts.push(this.#buf.slice(0, n));
      bodyBytes += n;
      this.#buf = this.#buf.subarray(n);
    };
    if (method === "HEAD" || status === 204 || status === 304) {
      // no body
    } else if (headers["transfer-encoding"]?.includes("chunked")) {
      for (;;) {
        let nl: number;
        while ((nl = indexOf(this.#buf, CRLF2.subarray(0, 2))) < 0) await this.#need();
        const size = parseInt(decoder.decode(this.#buf.subarray(0, nl)), 16);
        this.#buf = this.#buf.subarray(nl + 2);
        if (size === 0) {
          while (indexOf(this.#buf, CRLF2.subarray(0, 2)) !== 0) await this.#need();
          this.#buf = this.#buf.subarray(2);
          break;
        }
        await this.#readBody(size, take);
        while (this.#buf.length < 2) await this.#need();
        this.#buf = this.#buf.subarray(2);
      }
    } else {
      await this.#readBody(Number(headers["content-length"] ?? 0), take);
    }
    return { status, headers, bodyBytes, ...(keepBody ? { body: concat(parts) } : {}) };
  }

  async #readBody(length: number, take: (n: number) => void): Promise<void> {
    let left = length;
    while (left > 0) {
      if (this.#buf.length === 0) await this.#need();
      const n = Math.min(left, this.#buf.length);
      take(n);
      left -= n;
    }
  }

  async #need(): Promise<void> {
    if (!(await this.#fill())) throw new Error("connection closed in the middle of a response");
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
