/**
 * The HTTP floor (`deno run -A bench/relay_server.ts <socket>`): the least a platform
 * on Deno can do per call — `Deno.serve` in, the body read whole, one `POST /call` on a
 * kept-alive connection to the function's socket, its answer read whole and sent back
 * as bytes. No routing, lookups, metrics, slots or limits. It prints
 * `relay listening port=<n>` once bound on loopback and runs until killed.
 *
 * @module
 */

import { headEnd, latin1Bytes, parseResponseHead } from "../src/agent/protocol/_http1_head.ts";
import { takeReceivedBody } from "../src/agent/protocol/_received_body.ts";
import { concatBytes } from "../src/bytes.ts";

/** One kept-alive connection to the function and what it received but nobody read. */
class FunctionConn {
  #pending: Uint8Array = new Uint8Array(0);
  readonly #buffer = new Uint8Array(64 * 1024);

  constructor(readonly conn: Deno.UnixConn) {}

  /** Sends one call and resolves with the answer's body. */
  async call(head: Uint8Array, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    await this.#writeAll(body.length > 0 ? concatBytes([head, body]) : head);
    for (;;) {
      const end = headEnd(this.#pending);
      if (end >= 0) {
        const response = parseResponseHead(this.#pending.subarray(0, end));
        const rest = { bytes: this.#pending.subarray(end) };
        const taken = takeReceivedBody({
          receivedLength: () => rest.bytes.length,
          received: () => rest.bytes,
          consume: (count) => (rest.bytes = rest.bytes.subarray(count)),
        }, response.framing);
        if (taken !== undefined) {
          this.#pending = rest.bytes;
          return new Uint8Array(taken);
        }
      }
      const n = await this.conn.read(this.#buffer);
      if (n === null) throw new Error("the function closed the connection");
      this.#pending = concatBytes([this.#pending, this.#buffer.subarray(0, n)]);
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length;) off += await this.conn.write(bytes.subarray(off));
  }
}

if (import.meta.main) {
  const socketPath = Deno.args[0];
  if (socketPath === undefined) throw new Error("usage: relay_server.ts <function socket>");
  const idle: FunctionConn[] = [];
  let calls = 0;
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => {
      // deno-lint-ignore no-console
      console.log(`relay listening port=${port}`);
    },
  }, async (req) => {
    const body = await req.bytes();
    const conn = idle.pop() ??
      new FunctionConn(await Deno.connect({ transport: "unix", path: socketPath }));
    const deadline = new Date(Date.now() + 60_000).toISOString();
    const head = latin1Bytes(
      `POST /call HTTP/1.1\r\nHost: localhost\r\nFn-Call-Id: relay${calls++}\r\n` +
        `Fn-Deadline: ${deadline}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const answer = await conn.call(head, body);
    idle.push(conn);
    return new Response(answer, { headers: { "content-type": "text/plain" } });
  });
}
