/**
 * Test helper: loopback syslog receivers that collect RFC 5424 messages: TCP, TLS and
 * Unix stream sockets (octet-counted frames, RFC 6587) and UDP (one message per
 * datagram). Closing one ends its connections.
 *
 * ```ts
 * await using tcp = await listenSyslog("tcp");
 * // ... app with syslog_url = tcp.url ...
 * const [msg] = await tcp.waitFor((m) => m.includes("hello"));
 * ```
 *
 * @module
 */

import dgram from "node:dgram";

/** A running receiver. */
export interface SyslogListener extends AsyncDisposable {
  /** The URL to give an app, e.g. `tcp://127.0.0.1:40123`. */
  readonly url: string;
  /** Every message received so far, in order. */
  readonly messages: readonly string[];
  /**
   * Resolves with all messages once `count` of them match `match`; rejects (listing the
   * last messages) when that takes longer than `timeoutMs` (default 30 s).
   */
  waitFor(
    match: (message: string) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<string[]>;
  close(): Promise<void>;
}

/** TLS material for {@linkcode listenSyslog}("tls"). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

class Inbox {
  readonly messages: string[] = [];
  readonly #waiters: {
    match: (m: string) => boolean;
    count: number;
    resolve: (m: string[]) => void;
  }[] = [];

  add(message: string): void {
    this.messages.push(message);
    for (const w of [...this.#waiters]) this.#check(w);
  }

  waitFor(match: (m: string) => boolean, count = 1, timeoutMs = 30_000): Promise<string[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const found = new Promise<string[]>((resolve) => {
      const w = { match, count, resolve };
      this.#waiters.push(w);
      this.#check(w);
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const got = this.messages.filter(match).length;
        reject(
          new Error(
            `syslog: ${got} of ${count} expected messages after ${timeoutMs} ms; ` +
              `last received:\n${this.messages.slice(-10).join("\n")}`,
          ),
        );
      }, timeoutMs);
    });
    return Promise.race([found, late]).finally(() => clearTimeout(timer));
  }

  #check(w: { match: (m: string) => boolean; count: number; resolve: (m: string[]) => void }) {
    const found = this.messages.filter(w.match);
    if (found.length < w.count) return;
    this.#waiters.splice(this.#waiters.indexOf(w), 1);
    w.resolve(found);
  }
}

/**
 * Splits octet-counted frames (`<len> <msg>`) out of a byte stream.
 *
 * @throws {Error} on a frame that does not start with a length
 */
export function octetFrames(onMessage: (m: string) => void): (chunk: Uint8Array) => void {
  let buf = new Uint8Array(0);
  const decoder = new TextDecoder();
  return (chunk) => {
    const next = new Uint8Array(buf.length + chunk.length);
    next.set(buf);
    next.set(chunk, buf.length);
    buf = next;
    for (;;) {
      const space = buf.indexOf(0x20);
      if (space < 0) return;
      const digits = decoder.decode(buf.subarray(0, space));
      if (!/^[1-9]\d*$/.test(digits)) throw new Error(`bad syslog frame length ${digits}`);
      const len = Number(digits);
      if (buf.length < space + 1 + len) return;
      onMessage(decoder.decode(buf.subarray(space + 1, space + 1 + len)));
      buf = buf.slice(space + 1 + len);
    }
  };
}

async function serveStream(listener: Deno.Listener, inbox: Inbox, conns: Set<Deno.Conn>) {
  for await (const conn of listener) {
    conns.add(conn);
    const feed = octetFrames((m) => inbox.add(m));
    (async () => {
      try {
        for await (const chunk of conn.readable) feed(chunk);
      } catch {
        // closed
      } finally {
        conns.delete(conn);
      }
    })();
  }
}

/** Starts a receiver on 127.0.0.1 (or a socket in a temp dir for `unix`). */
export async function listenSyslog(
  transport: "tcp" | "udp" | "tls" | "unix",
  tls?: TlsFiles,
): Promise<SyslogListener> {
  const inbox = new Inbox();
  if (transport === "udp") {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (msg: Uint8Array) => inbox.add(new TextDecoder().decode(msg)));
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = (socket.address() as { port: number }).port;
    const close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
    return receiver(`udp://127.0.0.1:${port}`, inbox, close);
  }
  let dir: string | undefined;
  let listener: Deno.Listener;
  let url: string;
  if (transport === "unix") {
    dir = await Deno.makeTempDir({ prefix: "fnd-syslog-" });
    listener = Deno.listen({ transport: "unix", path: `${dir}/log.sock` });
    url = `unix://${dir}/log.sock`;
  } else if (transport === "tls") {
    if (tls === undefined) throw new Error("a TLS listener needs a certificate and key");
    listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key });
    url = `tcp+tls://localhost:${(listener.addr as Deno.NetAddr).port}`;
  } else {
    listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    url = `tcp://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  }
  const conns = new Set<Deno.Conn>();
  const serving = serveStream(listener, inbox, conns).catch(() => {});
  const close = async () => {
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await serving;
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return receiver(url, inbox, close);
}

function receiver(url: string, inbox: Inbox, close: () => Promise<void>): SyslogListener {
  let closing: Promise<void> | undefined;
  const once = () => (closing ??= close());
  return {
    url,
    messages: inbox.messages,
    waitFor: (match, count, timeoutMs) => inbox.waitFor(match, count, timeoutMs),
    close: once,
    [Symbol.asyncDispose]: once,
  };
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
}

/**
 * A throw-away CA and a `localhost` server certificate signed by it (made with openssl in
 * a temp dir): `cert`/`key` for the listener, `ca` for the client to trust.
 */
export async function testCertificates(): Promise<TlsFiles & { readonly ca: string }> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-tls-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await openssl(dir, [
      "req",
      "-x509",
      ...ec,
      "-days",
      "1",
      "-subj",
      "/CN=fnd test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    ]);
    await openssl(dir, [
      "req",
      ...ec,
      "-subj",
      "/CN=localhost",
      "-keyout",
      "key.pem",
      "-out",
      "leaf.csr",
    ]);
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "leaf.ext",
      "-out",
      "cert.pem",
    ]);
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Parts of an RFC 5424 message produced by fnd. */
export interface ParsedSyslog {
  readonly pri: number;
  readonly hostname: string;
  readonly appName: string;
  readonly msgId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly text: string;
}

/**
 * Parses `<pri>1 ts host app - msgid [fnd@32473 k="v" ...] text`.
 *
 * @throws {Error} when the message does not have that shape
 */
export function parseSyslog(message: string): ParsedSyslog {
  const m =
    /^<(\d+)>1 \S+ (\S+) (\S+) - (\S+) (-|\[fnd@32473((?: [^=\s]+="(?:[^"\\]|\\.)*")*)\])(?: ([\s\S]*))?$/
      .exec(message);
  if (m === null) throw new Error(`not an fnd RFC 5424 message: ${message}`);
  const params: Record<string, string> = {};
  for (const p of (m[6] ?? "").matchAll(/ ([^=\s]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[p[1]!] = p[2]!.replace(/\\(.)/g, "$1");
  }
  return {
    pri: Number(m[1]),
    hostname: m[2]!,
    appName: m[3]!,
    msgId: m[4]!,
    params,
    text: m[7] ?? "",
  };
}
