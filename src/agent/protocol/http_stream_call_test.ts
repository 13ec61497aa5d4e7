/**
 * HttpStreamCall against scripted functions on a real Unix socket: the request on the
 * wire, every row of Fn's outcome table (`agent.md` §1.7), and the client leaving at
 * each stage. Any unhandled rejection or uncaught error fails these tests.
 */

import assert from "node:assert/strict";
import { Logger } from "../../log.ts";
import { APIError } from "../../models/api_error.ts";
import type { DispatchOutcome, DispatchRequest } from "../container.ts";
import { CompleteBody } from "../complete_body.ts";
import type { UdsConnection } from "./_uds_connection.ts";
import { UdsPool } from "./_uds_pool.ts";
import { type Script, ScriptedServer } from "./_test_uds_server.ts";
import { DispatchSettler } from "./dispatch_settler.ts";
import { HttpStreamCall } from "./http_stream_call.ts";

const quiet = new Logger({ level: 5, format: "text", sink: () => {} });
const OK_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";

function chunk(text: string): string {
  return `${text.length.toString(16)}\r\n${text}\r\n`;
}

/** Answers `Hello <body>` chunked, keeping the connection. */
const hello: Script = async (ex) => {
  const body = new TextDecoder().decode(await ex.readBody());
  await ex.write(OK_HEAD + chunk(`Hello ${body}`) + "0\r\n\r\n");
};

interface Harness {
  readonly server: ScriptedServer;
  readonly pool: UdsPool;
  dispatch(overrides?: Partial<DispatchRequest>, maxHeaderBytes?: number): DispatchSettler;
}

async function withServer(script: Script, fn: (h: Harness) => Promise<void>): Promise<void> {
  await using server = await ScriptedServer.start(script);
  const pool = new UdsPool(server.path);
  try {
    await fn({
      server,
      pool,
      dispatch(overrides = {}, maxHeaderBytes = 1024 * 1024) {
        const settler = new DispatchSettler();
        const request: DispatchRequest = {
          callId: "CALL1",
          method: "POST",
          url: "http://localhost/invoke/fn",
          headers: new Headers(),
          body: null,
          deadline: new Date(Date.now() + 30_000),
          signal: new AbortController().signal,
          maxResponseBytes: 0,
          ...overrides,
        };
        new HttpStreamCall(
          { pool, maxResponseHeaderBytes: maxHeaderBytes, logger: quiet },
          request,
          settler,
        )
          .start();
        return settler;
      },
    });
  } finally {
    pool.close();
  }
}

async function text(d: DispatchSettler): Promise<{ text: string; outcome: DispatchOutcome }> {
  const res = await d.response;
  const body = res.body === null ? "" : await new Response(res.body).text();
  return { text: body, outcome: await d.finished };
}

async function rejectsWith(d: DispatchSettler, status: number, message: string): Promise<void> {
  await assert.rejects(d.response, (err: unknown) => {
    assert.ok(err instanceof APIError, `expected an APIError, got ${err}`);
    assert.equal(err.status, status);
    assert.equal(err.message, message);
    return true;
  });
}

function textStream(...parts: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(parts.map((p) => new TextEncoder().encode(p)));
}

/** A body that never ends on its own; `cancelled` resolves when the reader gives up. */
function endlessBody(): { body: ReadableStream<Uint8Array>; cancelled: Promise<void> } {
  const cancelled = Promise.withResolvers<void>();
  const body = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(16 * 1024).fill(97)),
    cancel: () => cancelled.resolve(),
  }, { highWaterMark: 0 });
  return { body, cancelled: cancelled.promise };
}

/** A body that sends `first` and then waits until it is cancelled. */
function stalledBody(
  first: string,
): { body: ReadableStream<Uint8Array>; cancelled: Promise<void> } {
  const cancelled = Promise.withResolvers<void>();
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(new TextEncoder().encode(first));
        return;
      }
      return cancelled.promise; // no more data until the reader gives up
    },
    cancel: () => cancelled.resolve(),
  }, { highWaterMark: 0 });
  return { body, cancelled: cancelled.promise };
}

Deno.test("HttpStreamCall sends POST /call with Fn's headers and no hop-by-hop ones", async () => {
  await withServer(hello, async (h) => {
    const headers = new Headers({
      "x-a": "1",
      "keep-alive": "5",
      connection: "keep-alive",
      "fn-call-id": "spoof",
      "content-length": "99",
      host: "example.com",
    });
    const d = h.dispatch({ headers });
    assert.equal((await text(d)).text, "Hello ");
    const head = h.server.heads[0]!;
    const lines = head.split("\r\n");
    assert.equal(lines[0], "POST /call HTTP/1.1");
    assert.equal(lines[1], "Host: localhost");
    assert.ok(lines.includes("X-A: 1"));
    assert.ok(lines.includes("Fn-Call-Id: CALL1"));
    assert.ok(lines.includes("Content-Length: 0"), "no body goes out as Content-Length: 0");
    assert.ok(lines.some((l) => /^Fn-Deadline: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l)));
    for (const dropped of [/^keep-alive:/i, /^connection:/i, /example\.com/, /: 99$/]) {
      assert.ok(!lines.some((l) => dropped.test(l)), `${dropped} must not be sent`);
    }
    assert.equal(lines.filter((l) => l.startsWith("Fn-Call-Id")).length, 1);
  });
});

Deno.test("HttpStreamCall streams the body chunked both ways and keeps one connection", async () => {
  await withServer(hello, async (h) => {
    for (const name of ["Bob", "Alice", "Carol"]) {
      const d = h.dispatch({ body: textStream(name.slice(0, 2), name.slice(2)) });
      const result = await text(d);
      assert.equal(result.text, `Hello ${name}`);
      assert.deepEqual(result.outcome, { reusable: true });
    }
    assert.match(h.server.heads[0]!, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.equal(h.server.connections, 1, "sequential calls reuse the kept-alive connection");
  });
});

Deno.test("HttpStreamCall hands on a small answer that arrived whole, the call already over", async (t) => {
  const answers = [
    "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHello whole",
    OK_HEAD + chunk("Hello ") + chunk("whole") + "0\r\nX-Trailer: dropped\r\n\r\n",
  ];
  for (const answer of answers) {
    await t.step(answer.includes("chunked") ? "chunked" : "Content-Length", async () => {
      await withServer(async (ex) => {
        await ex.readBody();
        await ex.write(answer);
      }, async (h) => {
        for (let i = 0; i < 2; i++) {
          const d = h.dispatch({ body: textStream("x") });
          const res = await d.response;
          assert.ok(res.body instanceof CompleteBody);
          assert.equal(d.isFinished, true, "nothing waits for the body to be read");
          assert.equal(new TextDecoder().decode(res.body.bytes), "Hello whole");
          assert.deepEqual(await d.finished, { reusable: true });
        }
        assert.equal(h.server.connections, 1, "the connection is kept after a whole answer");
      });
    });
  }
  await t.step("a body still on its way streams", async () => {
    await withServer(async (ex) => {
      await ex.readBody();
      await ex.write(OK_HEAD + chunk("Hello "));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await ex.write(chunk("later") + "0\r\n\r\n");
    }, async (h) => {
      const d = h.dispatch();
      const res = await d.response;
      assert.ok(!(res.body instanceof CompleteBody));
      assert.equal(d.isFinished, false);
      assert.equal((await text(d)).text, "Hello later");
    });
  });
});

Deno.test("HttpStreamCall ends the request once the declared length was sent", async (t) => {
  await t.step("without waiting for the body to report its end", async () => {
    await withServer(hello, async (h) => {
      // The body never ends on its own; only its declared length says it is complete.
      const { body } = stalledBody("Declared");
      const d = h.dispatch({ body, bodyLength: "Declared".length });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        text(d),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("the request never ended")), 5000);
        }),
      ]).finally(() => clearTimeout(timer));
      assert.equal(result.text, "Hello Declared");
      assert.deepEqual(result.outcome, { reusable: true });
      assert.match(h.server.heads[0]!, /\r\nTransfer-Encoding: chunked\r\n/, "framed as Fn does");
      // The rest of the stream is never read, and the kept connection serves the next call.
      assert.equal((await text(h.dispatch({ body: textStream("next") }))).text, "Hello next");
      assert.equal(h.server.connections, 1);
    });
  });
  await t.step("a declared empty body is not read", async () => {
    await withServer(hello, async (h) => {
      const { body } = stalledBody("never sent");
      assert.equal((await text(h.dispatch({ body, bodyLength: 0 }))).text, "Hello ");
      assert.match(h.server.heads[0]!, /\r\nContent-Length: 0\r\n/);
    });
  });
  await t.step("a body longer than declared fails the call", async () => {
    await withServer(hello, async (h) => {
      const d = h.dispatch({ body: textStream("too long"), bodyLength: 3 });
      await rejectsWith(d, 502, "error receiving function response");
      assert.equal((await d.finished).reusable, false);
    });
  });
});

Deno.test("HttpStreamCall sends an already-ended body as Content-Length: 0", async () => {
  await withServer(hello, async (h) => {
    const ended = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    assert.equal((await text(h.dispatch({ body: ended }))).text, "Hello ");
    assert.match(h.server.heads[0]!, /\r\nContent-Length: 0\r\n/);
  });
});

Deno.test("HttpStreamCall maps the function's status like Fn", async (t) => {
  const cases: [number, number, string, boolean][] = [
    [502, 502, "function failed", true],
    [504, 504, "Timed out", true],
    [201, 502, "invalid function response", false],
    [400, 502, "invalid function response", false],
    [500, 502, "invalid function response", false],
  ];
  await withServer(async (ex) => {
    const status = /\r\nX-Status: (\d+)\r\n/.exec(ex.head)?.[1];
    await ex.write(`HTTP/1.1 ${status} X\r\nContent-Length: 4\r\n\r\nnope`);
  }, async (h) => {
    for (const [status, code, message, reusable] of cases) {
      await t.step(`${status} → ${code} ${message}, reusable ${reusable}`, async () => {
        const d = h.dispatch({ headers: new Headers({ "x-status": String(status) }) });
        await rejectsWith(d, code, message);
        assert.equal((await d.finished).reusable, reusable);
      });
    }
  });
});

Deno.test("HttpStreamCall skips 100 Continue before the real answer", async () => {
  await withServer(async (ex) => {
    await ex.write("HTTP/1.1 100 Continue\r\n\r\n");
    await hello(ex);
  }, async (h) => {
    const d = h.dispatch({
      headers: new Headers({ expect: "100-continue" }),
      body: textStream("x"),
    });
    assert.equal((await text(d)).text, "Hello x");
  });
});

Deno.test("HttpStreamCall gives 502 error receiving function response on a broken socket", async (t) => {
  await t.step("the function closes before answering", async () => {
    await withServer((ex) => Promise.resolve(ex.close()), async (h) => {
      const d = h.dispatch();
      await rejectsWith(d, 502, "error receiving function response");
      assert.equal((await d.finished).reusable, false);
    });
  });
  await t.step("a garbage answer", async () => {
    await withServer((ex) => ex.write("SSH-2.0\r\n\r\n"), async (h) => {
      const d = h.dispatch();
      await rejectsWith(d, 502, "error receiving function response");
      assert.equal((await d.finished).reusable, false);
    });
  });
  await t.step("nobody listens", async () => {
    const pool = new UdsPool("/nonexistent/lsnr.sock");
    const settler = new DispatchSettler();
    new HttpStreamCall({ pool, maxResponseHeaderBytes: 1024, logger: quiet }, {
      callId: "C",
      method: "POST",
      url: "http://x/",
      headers: new Headers(),
      body: null,
      deadline: new Date(Date.now() + 30_000),
      signal: new AbortController().signal,
      maxResponseBytes: 0,
    }, settler).start();
    await rejectsWith(settler, 502, "error receiving function response");
    assert.equal((await settler.finished).reusable, false);
  });
});

Deno.test("HttpStreamCall gives 502 when the response head exceeds the limit", async () => {
  await withServer(async (ex) => {
    await ex.write(`HTTP/1.1 200 OK\r\nX-Big: ${"b".repeat(8000)}\r\nContent-Length: 0\r\n\r\n`);
  }, async (h) => {
    const d = h.dispatch({}, 4096);
    await rejectsWith(d, 502, "function response header too large");
    assert.equal((await d.finished).reusable, false);
    const fits = h.dispatch({}, 16_384);
    assert.equal((await text(fits)).outcome.reusable, true);
  });
});

Deno.test("HttpStreamCall gives 504 Timed out and drops the container at the deadline", async (t) => {
  await t.step("before the head", async () => {
    await withServer((ex) => ex.disposed, async (h) => {
      const d = h.dispatch({ deadline: new Date(Date.now() + 200) });
      await rejectsWith(d, 504, "Timed out");
      assert.equal((await d.finished).reusable, false);
    });
  });
  await t.step("while the body streams", async () => {
    await withServer(async (ex) => {
      await ex.write(OK_HEAD + chunk("part"));
      await ex.disposed;
    }, async (h) => {
      const d = h.dispatch({ deadline: new Date(Date.now() + 300) });
      const res = await d.response;
      await assert.rejects(new Response(res.body).text(), (err: unknown) => {
        assert.ok(err instanceof APIError && err.status === 504, `got ${err}`);
        return true;
      });
      const outcome = await d.finished;
      assert.equal(outcome.reusable, false);
      assert.equal(outcome.error?.status, 504);
    });
  });
  await t.step("already past", async () => {
    await withServer(hello, async (h) => {
      const d = h.dispatch({ deadline: new Date(Date.now() - 1) });
      await rejectsWith(d, 504, "Timed out");
      assert.equal((await d.finished).reusable, true, "nothing was sent");
    });
  });
});

Deno.test("HttpStreamCall limits the body to maxResponseBytes with a clean 502", async () => {
  await withServer(async (ex) => {
    const n = Number(new TextDecoder().decode(await ex.readBody()));
    await ex.write(OK_HEAD + chunk("x".repeat(n)) + "0\r\n\r\n");
  }, async (h) => {
    const big = h.dispatch({ body: textStream("3000"), maxResponseBytes: 2000 });
    await rejectsWith(big, 502, "function response body too large");
    assert.equal((await big.finished).reusable, true);
    const small = await text(h.dispatch({ body: textStream("1500"), maxResponseBytes: 2000 }));
    assert.equal(small.text.length, 1500);
    assert.equal(small.outcome.reusable, true);
  });
});

Deno.test("HttpStreamCall errors the stream and drops the container when the body breaks", async () => {
  await withServer(async (ex) => {
    await ex.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    ex.close();
  }, async (h) => {
    const d = h.dispatch();
    const res = await d.response;
    await assert.rejects(new Response(res.body).text());
    const outcome = await d.finished;
    assert.equal(outcome.reusable, false);
    assert.equal(outcome.error?.status, 500);
  });
});

Deno.test("HttpStreamCall succeeds when the function answers before reading the body", async () => {
  let calls = 0;
  await withServer(async (ex) => {
    if (calls++ > 0) return await hello(ex);
    await ex.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    await ex.disposed; // keeps the connection, never reads the body
  }, async (h) => {
    const { body, cancelled } = endlessBody();
    const result = await text(h.dispatch({ body }));
    assert.equal(result.text, "");
    assert.deepEqual(result.outcome, { reusable: true });
    await cancelled; // the rest of the caller's body is not wanted
    assert.equal((await text(h.dispatch({ body: textStream("next") }))).text, "Hello next");
  });
});

Deno.test("HttpStreamCall survives a function that answers early and closes mid-upload", async () => {
  // node:net destroys a socket whose write failed (EPIPE), so an answer that arrived
  // just before may be lost: the call then fails like a crash, and nothing else breaks.
  let calls = 0;
  await withServer(async (ex) => {
    if (calls++ > 0) return await hello(ex);
    await ex.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly");
    ex.close();
  }, async (h) => {
    const { body, cancelled } = endlessBody();
    const d = h.dispatch({ body });
    const outcome = await d.response.then(
      async (res) => ({ text: await new Response(res.body).text(), ...(await d.finished) }),
      async (err: APIError) => ({ text: err.message, ...(await d.finished) }),
    );
    if (outcome.text === "early") assert.equal(outcome.reusable, true);
    else {
      assert.equal(outcome.text, "error receiving function response");
      assert.equal(outcome.reusable, false);
    }
    await cancelled;
    assert.equal((await text(h.dispatch({ body: textStream("next") }))).text, "Hello next");
  });
});

Deno.test("HttpStreamCall fails cleanly when the caller's body fails mid-upload", async () => {
  await withServer(hello, async (h) => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent) return c.error(new Error("client body broke"));
        sent = true;
        c.enqueue(new TextEncoder().encode("half"));
      },
    });
    const d = h.dispatch({ body });
    await rejectsWith(d, 502, "error receiving function response");
    assert.equal((await d.finished).reusable, false);
    assert.equal((await text(h.dispatch({ body: textStream("ok") }))).text, "Hello ok");
  });
});

Deno.test("HttpStreamCall fails cleanly when the caller's body fails as the whole answer arrives", async () => {
  await using server = await ScriptedServer.start(async (ex) => {
    // Answers at once, without reading the request body.
    await ex.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    await ex.disposed;
  });
  const real = new UdsPool(server.path);
  let failBody!: (err: Error) => void;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      failBody = (err) => c.error(err);
    },
  }, { highWaterMark: 0 });
  // The body errors in the very turn the answer is read: the upload closes the
  // connection while the head is already parsed.
  const pool = {
    acquire: async () => {
      const conn = await real.acquire();
      const read = conn.read.bind(conn);
      conn.read = async () => {
        const chunk = await read();
        failBody(new Error("client body broke"));
        return chunk;
      };
      return conn;
    },
    release: (conn: UdsConnection) => real.release(conn),
  } as unknown as UdsPool;
  const errors: string[] = [];
  const logger = new Logger({
    level: 0,
    format: "text",
    sink: (line) => line.includes("ERROR") && errors.push(line),
  });
  const settler = new DispatchSettler();
  new HttpStreamCall({ pool, maxResponseHeaderBytes: 1 << 20, logger }, {
    callId: "CALL1",
    method: "POST",
    url: "http://localhost/invoke/fn",
    headers: new Headers(),
    body,
    deadline: new Date(Date.now() + 30_000),
    signal: new AbortController().signal,
    maxResponseBytes: 0,
  }, settler).start();
  try {
    await rejectsWith(settler, 502, "error receiving function response");
    assert.equal((await settler.finished).reusable, false);
    assert.deepEqual(errors, [], "a failed body is not an internal error");
  } finally {
    real.close();
  }
});

Deno.test("HttpStreamCall survives the client leaving at every stage", async (t) => {
  const stages: {
    name: string;
    reusable: boolean;
    script: Script;
    run: (h: Harness, abort: AbortController) => Promise<DispatchOutcome>;
  }[] = [
    {
      name: "before the call starts",
      reusable: true,
      script: hello,
      run: async (h, abort) => {
        abort.abort();
        const d = h.dispatch({ signal: abort.signal });
        await rejectsWith(d, 502, "error receiving function response");
        return await d.finished;
      },
    },
    {
      name: "while the body is being sent",
      reusable: false,
      script: hello,
      run: async (h, abort) => {
        const seen = Promise.withResolvers<void>();
        h.server.script = async (ex) => {
          seen.resolve();
          await ex.readBody(); // never completes: the body stalls
        };
        const { body, cancelled } = stalledBody("part");
        const d = h.dispatch({ body, signal: abort.signal });
        await seen.promise;
        abort.abort();
        await rejectsWith(d, 502, "error receiving function response");
        await cancelled;
        return await d.finished;
      },
    },
    {
      name: "while waiting for the head",
      reusable: false,
      script: hello,
      run: async (h, abort) => {
        const seen = Promise.withResolvers<void>();
        h.server.script = async (ex) => {
          await ex.readBody();
          seen.resolve();
          await ex.disposed;
        };
        const d = h.dispatch({ body: textStream("x"), signal: abort.signal });
        await seen.promise;
        abort.abort();
        await rejectsWith(d, 502, "error receiving function response");
        return await d.finished;
      },
    },
    {
      name: "after the head, mid-body",
      reusable: true,
      script: async (ex) => {
        await ex.write(OK_HEAD + chunk("first"));
        await ex.disposed;
      },
      run: async (h, abort) => {
        const d = h.dispatch({ signal: abort.signal });
        const reader = (await d.response).body!.getReader();
        assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
        abort.abort();
        await assert.rejects(reader.read());
        return await d.finished;
      },
    },
    {
      name: "by cancelling the body after the head",
      reusable: true,
      script: async (ex) => {
        await ex.write(OK_HEAD + chunk("first"));
        await ex.disposed;
      },
      run: async (h) => {
        const d = h.dispatch();
        const body = (await d.response).body!;
        await body.cancel();
        return await d.finished;
      },
    },
  ];
  for (const stage of stages) {
    await t.step(`${stage.name} → reusable ${stage.reusable}, the next call works`, async () => {
      await withServer(stage.script, async (h) => {
        const outcome = await stage.run(h, new AbortController());
        assert.equal(outcome.reusable, stage.reusable);
        h.server.script = hello;
        assert.equal((await text(h.dispatch({ body: textStream("again") }))).text, "Hello again");
      });
    });
  }
});
