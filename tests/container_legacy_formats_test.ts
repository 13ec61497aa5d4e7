/**
 * The stdin/stdout formats (`default`, `http`, `json`) against real busybox containers,
 * including the pipe swap: leftovers of one call never reach the next.
 */

import assert from "node:assert/strict";
import type { HotContainer } from "../src/agent/container.ts";
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

/** A retired container takes no further call: the next one fails cleanly with 502. */
async function assertRetired(container: HotContainer): Promise<void> {
  const next = container.dispatch(callRequest({ callId: "AFTER" }));
  await assert.rejects(next.response, {
    status: 502,
    message: "error receiving function response",
  });
  assert.equal((await next.finished).reusable, false);
}

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

Deno.test("http format answers back-to-back body-less calls on one hot container", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-http"], { format: "http" }),
      launchSignal(),
    );
    for (const [i, path] of ["one", "two", "three"].entries()) {
      const result = await call(container, { callId: `H${i}`, url: `http://h/${path}` });
      assert.equal(result.status, 200);
      assert.equal(result.headers.get("x-fn-format"), "http");
      assert.equal(result.text, `call=H${i} n=${i + 1} req=POST http://h/${path} HTTP/1.1 body=`);
      assert.equal(result.outcome.reusable, true);
    }
  });
});

Deno.test("http format answers a call with a body, then retires the container", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-http"], { format: "http" }),
      launchSignal(),
    );
    const result = await call(container, {
      callId: "B1",
      headers: new Headers({ "content-length": "5" }),
      body: textBody("hello"),
      url: "http://h/path",
    });
    assert.equal(result.text, "call=B1 n=1 req=POST http://h/path HTTP/1.1 body=hello");
    // fnd cannot see whether the function read the body: the container is not reused.
    assert.equal(result.outcome.reusable, false);
  });
});

for (const [what, size] of [["a small", 12], ["a 4 MiB", 4 * 1024 * 1024]] as const) {
  Deno.test(`http format retires a container that left ${what} body unread; a second call on it fails cleanly`, async () => {
    await withLauncher(async (launcher) => {
      const lazy = await launcher.launch(
        specFor(images["bb-http"], { format: "http", env: { SKIP_BODY: "1" } }),
        launchSignal(),
      );
      // 12 bytes fit in the engine's pipe buffers: the write completes although the
      // function never reads them. 4 MiB does not: the write is cut at the pipe swap.
      const body = size === 12
        ? textBody("LEFTOVERBODY")
        : new Response(new Uint8Array(size).fill(65)).body;
      const first = await call(lazy, {
        callId: "LAZY1",
        headers: new Headers({ "content-length": String(size) }),
        body,
      });
      assert.match(first.text, /^call=LAZY1 n=1 req=POST /);
      assert.equal(first.outcome.reusable, false, "unread input must retire the container");
      // What the engine had already buffered would be read as the next request, so a
      // second call on this container fails instead of being answered from those bytes.
      await assertRetired(lazy);
    });
  });
}

Deno.test("json format answers back-to-back body-less calls with the protocol's status and headers", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-json"], { format: "json" }),
      launchSignal(),
    );
    for (const i of [0, 1]) {
      const result = await call(container, { callId: `J${i}` });
      assert.equal(result.status, 201);
      assert.equal(result.headers.get("content-type"), "text/plain");
      assert.equal(result.headers.get("x-fn-format"), "json");
      assert.equal(result.text, `call=J${i} n=${i + 1} body=`);
      assert.equal(result.outcome.reusable, true);
    }
  });
});

Deno.test("json format answers a call with a body, then retires the container", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(
      specFor(images["bb-json"], { format: "json" }),
      launchSignal(),
    );
    const result = await call(container, { callId: "JB", body: textBody("alpha") });
    assert.equal(result.text, "call=JB n=1 body=alpha");
    assert.equal(result.outcome.reusable, false);
  });
});

Deno.test("json format retires a container that left a small body unread; a second call on it fails cleanly", async () => {
  await withLauncher(async (launcher) => {
    const lazy = await launcher.launch(
      specFor(images["bb-json"], { format: "json", env: { SKIP_BODY: "1" } }),
      launchSignal(),
    );
    const first = await call(lazy, { callId: "LAZY1", body: textBody("LEFTOVERBODY") });
    assert.equal(first.text, "call=LAZY1 n=1 body=");
    assert.equal(first.outcome.reusable, false, "unread input must retire the container");
    await assertRetired(lazy);
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
