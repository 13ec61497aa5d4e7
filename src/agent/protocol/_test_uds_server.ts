/**
 * A scripted HTTP/1.1 server on a Unix socket, for tests of the http-stream client: each
 * request's head is read for the script, which then reads the body, writes raw bytes
 * and keeps or closes the connection as the case needs.
 *
 * @module
 */

import { latin1Bytes, latin1Text } from "./_http1_head.ts";
import { BodyReader } from "./_http1_reader.ts";
import type { ByteSource } from "./output_pipe.ts";

/** One request as the script sees it. */
export interface Exchange {
  /** The request head as text (request line and fields, CRLFs included). */
  readonly head: string;
  /** Which connection (0, 1, ...) carried it. */
  readonly connection: number;
  /** Reads the whole (chunked or sized) request body. */
  readBody(): Promise<Uint8Array>;
  /** Writes raw bytes (strings as Latin-1). */
  write(data: string | Uint8Array): Promise<void>;
  /** Closes the connection. */
  close(): void;
  /** Resolves when the server is disposed (to hold a connection open until then). */
  readonly disposed: Promise<void>;
}

/** What a script does with one request. */
export type Script = (exchange: Exchange) => Promise<void>;

/** A server at `path`, running `script` for every request. */
export class ScriptedServer implements AsyncDisposable {
  readonly path: string;
  /** Every request head received, in order. */
  readonly heads: string[] = [];
  /** Connections accepted so far. */
  connections = 0;
  readonly #dir: string;
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks: Promise<void>[] = [];
  readonly #disposed = Promise.withResolvers<void>();
  #script: Script;

  private constructor(dir: string, script: Script) {
    this.#dir = dir;
    this.path = `${dir}/lsnr.sock`;
    this.#listener = Deno.listen({ transport: "unix", path: this.path });
    this.#script = script;
    this.#tasks.push(this.#accept());
  }

  /** Starts a server in a fresh temp dir. */
  static async start(script: Script): Promise<ScriptedServer> {
    return new ScriptedServer(await Deno.makeTempDir({ prefix: "fnd-uds-test-" }), script);
  }

  /** Replaces the script for later requests. */
  set script(script: Script) {
    this.#script = script;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        this.#tasks.push(this.#serve(conn, this.connections++));
      }
    } catch {
      // the listener was closed
    }
  }

  async #serve(conn: Deno.Conn, connection: number): Promise<void> {
    const src = new ConnSource(conn);
    let closed = false;
    try {
      while (!closed) {
        const head = await readRequestHead(src);
        if (head === null) break;
        this.heads.push(head);
        const chunked = /\r\ntransfer-encoding: chunked\r\n/i.test(head);
        const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(head)?.[1] ?? 0);
        await this.#script({
          head,
          connection,
          readBody: () =>
            readAll(
              new BodyReader(src, chunked ? { kind: "chunked" } : { kind: "length", length }),
            ),
          write: async (data) => {
            const bytes = typeof data === "string" ? latin1Bytes(data) : data;
            for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
          },
          close: () => {
            closed = true;
            close(conn);
          },
          disposed: this.#disposed.promise,
        });
      }
    } catch {
      // the peer went away or the script closed the connection mid-read
    } finally {
      this.#conns.delete(conn);
      close(conn);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#disposed.resolve();
    this.#listener.close();
    for (const conn of this.#conns) close(conn);
    await Promise.allSettled(this.#tasks);
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}

/** Reads a request head up to its blank line; null when the client closed first. */
async function readRequestHead(src: ConnSource): Promise<string | null> {
  let text = "";
  while (true) {
    const chunk = await src.read();
    if (chunk === null) {
      if (text === "") return null;
      throw new Error("EOF in request head");
    }
    text += latin1Text(chunk);
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      src.unread(latin1Bytes(text.slice(end + 4)));
      return text.slice(0, end + 4);
    }
  }
}

async function readAll(reader: BodyReader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let c = await reader.next(); c !== null; c = await reader.next()) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

class ConnSource implements ByteSource {
  readonly #conn: Deno.Conn;
  #back: Uint8Array | null = null;
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  async read(): Promise<Uint8Array | null> {
    if (this.#back !== null) {
      const back = this.#back;
      this.#back = null;
      return back;
    }
    const buf = new Uint8Array(16 * 1024);
    const n = await this.#conn.read(buf);
    return n === null ? null : buf.subarray(0, n);
  }
  unread(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#back = bytes;
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
