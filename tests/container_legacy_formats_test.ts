/**
 * The stdin/stdout formats (`default`, `http`, `json`) against real busybox containers,
 * including the pipe swap: leftovers of one call never reach the next.
 */

import assert from "node:assert/strict";
import { ensureTestImages } from "./_images.ts";
import {
  call,
  callRequest,
  containerExists,
  specFor,
  textBody,
  withLauncher,
} from "./_container_helpers.ts";

const images = await ensureTestImages();
const launchSignal = () => AbortSignal.timeout(60_000);

Deno.test("default format runs one container per call with the request in env and stdin", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images["bb-default"], { format: "default" });
    const container = await launcher.launch(spec, launchSignal());
    const result = await call(container, {
      callId: "COLD1",
      method: "PUT",
      url: "http://h/r/app/x?y=1",
      headers: new Headers({ "x-test": "yes", "content-length": "5" }),
      body: textBody("hello"),
    });
    assert.equal(result.status, 200);
    assert.match(
      result.text,
      /^method=PUT url=http:\/\/h\/r\/app\/x\?y=1 call=COLD1 deadline=\d{4}-.*Z x-test=yes body=hello$/,
    );
    assert.equal(result.outcome.reusable, false);
    await container.close();
    assert.equal(await containerExists(launcher, spec.id), false);
  });
});

Deno.test("http format answers back-to-back calls on one hot container", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-http"], { format: "http" }),
      launchSignal(),
    );
    for (const [i, word] of ["one", "two", "three"].entries()) {
      const result = await call(container, {
        callId: `H${i}`,
        headers: new Headers({ "content-length": String(word.length) }),
        body: textBody(word),
        url: "http://h/path",
      });
      assert.equal(result.status, 200);
      assert.equal(result.headers.get("x-fn-format"), "http");
      assert.equal(
        result.text,
        `call=H${i} n=${i + 1} req=POST http://h/path HTTP/1.1 body=${word}`,
      );
      assert.equal(result.outcome.reusable, true);
    }
  });
});

Deno.test("http format retires a container that left its input unread; the next call is not poisoned by it", async () => {
  await withLauncher(async (launcher) => {
    const lazy = await launcher.launch(
      specFor(images["bb-http"], { format: "http", env: { SKIP_BODY: "1" } }),
      launchSignal(),
    );
    const size = 4 * 1024 * 1024; // far more than the engine's pipe buffers hold
    const first = await call(lazy, {
      callId: "LAZY1",
      headers: new Headers({ "content-length": String(size) }),
      body: new Response(new Uint8Array(size).fill(65)).body,
    });
    assert.match(first.text, /^call=LAZY1 n=1 /);
    assert.equal(first.outcome.reusable, false, "unconsumed input must retire the container");
    // The rest of the first body was cut at the pipe swap; what the engine had already
    // buffered would be read as the next request, so a second call on this container
    // fails cleanly instead of being answered from the first call's bytes.
    const second = container2Call(lazy);
    await assert.rejects(second.response, {
      status: 502,
      message: "error receiving function response",
    });
    assert.equal((await second.finished).reusable, false);
  });
});

function container2Call(container: import("../src/agent/container.ts").HotContainer) {
  return container.dispatch(callRequest({
    callId: "LAZY2",
    headers: new Headers({ "content-length": "2" }),
    body: textBody("hi"),
  }));
}

Deno.test("json format answers back-to-back calls with the protocol's status and headers", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-json"], { format: "json" }),
      launchSignal(),
    );
    for (const [i, word] of ["alpha", "beta"].entries()) {
      const result = await call(container, { callId: `J${i}`, body: textBody(word) });
      assert.equal(result.status, 201);
      assert.equal(result.headers.get("content-type"), "text/plain");
      assert.equal(result.headers.get("x-fn-format"), "json");
      assert.equal(result.text, `call=J${i} n=${i + 1} body=${word}`);
      assert.equal(result.outcome.reusable, true);
    }
  });
});

Deno.test("stdio formats give 504 and retire the container when the deadline passes", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-http"], { format: "http" }),
      launchSignal(),
    );
    // Declares 10 bytes but sends 2: the function waits for the rest until the deadline.
    const d = container.dispatch(callRequest({
      headers: new Headers({ "content-length": "10" }),
      body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("hi")) }),
      deadline: new Date(Date.now() + 800),
    }));
    await assert.rejects(d.response, { status: 504, message: "Timed out" });
    assert.equal((await d.finished).reusable, false);
  });
});
