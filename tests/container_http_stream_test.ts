/**
 * DockerLauncher with http-stream functions against the real Docker engine.
 */

import assert from "node:assert/strict";
import { APIError } from "../src/models/api_error.ts";
import { ensureTestImages } from "./_images.ts";
import type { DispatchOutcome, DispatchRequest } from "../src/agent/container.ts";
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

async function rejectsWith(
  promise: Promise<unknown>,
  status: number,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof APIError, `expected an APIError, got ${err}`);
    assert.equal(err.status, status);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

Deno.test("launch() starts an FDK function that answers and is reused for sequential calls", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images.hello), launchSignal());
    const first = await call(container, { body: textBody("Bob") });
    assert.equal(first.status, 200);
    assert.equal(first.text, "Hello Bob");
    assert.match(first.headers.get("fn-fdk-version") ?? "", /^fdk-node\//);
    assert.deepEqual(first.outcome, { reusable: true });
    for (const name of ["Alice", "Carol"]) {
      const next = await call(container, { body: textBody(name) });
      assert.equal(next.text, `Hello ${name}`);
      assert.equal(next.outcome.reusable, true);
    }
  });
});

Deno.test("launch() gives the function its env, uid 1000 and the hardened container options", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images["env-dump"], {
      env: { APP_VAR: "a b=c", FN_VAR: "f" },
      memoryMb: 64,
    });
    const container = await launcher.launch(spec, launchSignal());
    const result = JSON.parse((await call(container)).text);
    assert.equal(result.env.APP_VAR, "a b=c");
    assert.equal(result.env.FN_VAR, "f");
    assert.equal(result.env.FN_LISTENER, "unix:/tmp/iofs/lsnr.sock");
    assert.equal(result.uid, 1000);
    const info = await launcher.docker.getContainer(spec.id).inspect();
    const host = info.HostConfig;
    assert.equal(host.Memory, 64 * 1024 * 1024);
    assert.equal(host.MemorySwap, 64 * 1024 * 1024);
    assert.equal(host.ReadonlyRootfs, true);
    assert.equal(host.Init, true);
    assert.equal(host.PidsLimit, 50);
    assert.deepEqual(host.CapDrop?.map((c: string) => c.toLowerCase()), ["all"]);
    assert.deepEqual(host.SecurityOpt, ["no-new-privileges"]);
    assert.equal(host.LogConfig?.Type, "none");
    assert.deepEqual(host.Tmpfs, { "/tmp": "" });
    assert.deepEqual(host.Ulimits?.map((u: { Name: string }) => u.Name), [
      "nofile",
      "memlock",
      "sigpending",
      "msgqueue",
    ]);
    assert.equal(info.Config.User, "1000:1000");
    assert.equal(info.Config.Labels["fnd.instance"], launcher.instanceId);
    assert.equal(info.Config.Labels["fnd.fn_id"], spec.fnId);
  });
});

Deno.test("dispatch() sends Fn-Call-Id, Fn-Deadline and the call's headers without hop-by-hop ones", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
    // Milliseconds that seconds precision must drop, so truncation is visible.
    const deadline = new Date(Math.floor(Date.now() / 1000) * 1000 + 30_678);
    const headers = new Headers({
      "x-mode": "headers",
      "x-a": "1",
      "keep-alive": "5",
      "fn-call-id": "spoof",
    });
    const result = await call(container, {
      callId: "CALL1",
      headers,
      deadline,
      body: textBody("abc"),
    });
    const seen = JSON.parse(result.text);
    const raw: Record<string, string> = {};
    for (let i = 0; i < seen.rawHeaders.length; i += 2) {
      raw[seen.rawHeaders[i].toLowerCase()] = seen.rawHeaders[i + 1];
    }
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, "/call");
    assert.equal(seen.length, 3);
    assert.equal(raw["fn-call-id"], "CALL1");
    assert.match(raw["fn-deadline"] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // RFC 3339 in seconds: the call's own deadline, its milliseconds cut off.
    assert.equal(Date.parse(raw["fn-deadline"]!), deadline.getTime() - 678);
    assert.equal(raw["x-a"], "1");
    assert.equal(raw["keep-alive"], undefined);
    assert.equal(result.headers.get("keep-alive"), null, "hop-by-hop response headers are dropped");
  });
});

Deno.test("dispatch() maps the function's status like Fn", async (t) => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
    const statusCall = (status: number) =>
      container.dispatch({
        callId: `C${status}`,
        method: "POST",
        url: "http://x/",
        headers: new Headers({ "x-mode": "status", "x-status": String(status) }),
        body: null,
        deadline: new Date(Date.now() + 30_000),
        signal: new AbortController().signal,
        maxResponseBytes: 0,
      });
    await t.step("502 → function failed, container kept", async () => {
      const d = statusCall(502);
      await rejectsWith(d.response, 502, "function failed");
      assert.equal((await d.finished).reusable, true);
    });
    await t.step("504 → Timed out, container kept", async () => {
      const d = statusCall(504);
      await rejectsWith(d.response, 504, "Timed out");
      assert.equal((await d.finished).reusable, true);
    });
    await t.step("201 → invalid function response, container not reusable", async () => {
      const d = statusCall(201);
      await rejectsWith(d.response, 502, "invalid function response");
      assert.equal((await d.finished).reusable, false);
    });
  });
});

Deno.test("dispatch() fails with 502 when the response headers exceed the limit", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
    const headers = new Headers({ "x-mode": "big-header", "x-size": "8000" });
    const d = container.dispatch({ ...baseRequest(), headers });
    await rejectsWith(d.response, 502, "function response header too large");
    assert.equal((await d.finished).reusable, false);
  }, { FN_MAX_HDR_RESPONSE_SIZE: "4096" });
});

Deno.test("dispatch() gives 502 and drops the container when the function crashes mid-call", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images.crash), launchSignal());
    const d = container.dispatch(baseRequest());
    await rejectsWith(d.response, 502, "error receiving function response");
    assert.equal((await d.finished).reusable, false);
    const exit = await container.exited;
    assert.equal(exit.exitCode, 7);
  });
});

Deno.test("dispatch() gives 504 Timed out and drops the container when the deadline passes", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images.slow), launchSignal());
    const started = performance.now();
    const d = container.dispatch({
      ...baseRequest(),
      body: textBody("5000"),
      deadline: new Date(Date.now() + 700),
    });
    await rejectsWith(d.response, 504, "Timed out");
    assert.ok(performance.now() - started < 4000);
    assert.equal((await d.finished).reusable, false);
  });
});

Deno.test("dispatch() limits the response body to maxResponseBytes with a clean 502", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images["big-output"]), launchSignal());
    const big = container.dispatch({
      ...baseRequest(),
      body: textBody("300000"),
      maxResponseBytes: 200_000,
    });
    await rejectsWith(big.response, 502, "function response body too large");
    assert.equal((await big.finished).reusable, true);
    const small = await call(container, { body: textBody("150000"), maxResponseBytes: 200_000 });
    assert.equal(small.text.length, 150_000);
    assert.equal(small.outcome.reusable, true);
  });
});

Deno.test("dispatch() accepts an answer sent before the request body was read", async () => {
  await withLauncher(async (launcher) => {
    const container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
    const upload = generated(20 * 1024 * 1024);
    const early = await call(container, {
      headers: new Headers({ "x-mode": "early" }),
      body: upload.body,
    });
    assert.equal(early.text, "early");
    assert.deepEqual(early.outcome, { reusable: true });
    await upload.cancelled; // the rest of the upload is dropped, not buffered
    const next = await call(container, {
      headers: new Headers({ "x-mode": "echo" }),
      body: textBody("ok"),
    });
    assert.equal(next.text, "ok");
  });
});

Deno.test("dispatch() survives the client leaving at every stage", async (t) => {
  await withLauncher(async (launcher) => {
    let container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
    const echo = (overrides: Partial<DispatchRequest>) =>
      container.dispatch(callRequest({ headers: new Headers({ "x-mode": "echo" }), ...overrides }));
    const stages: [string, boolean, (abort: AbortController) => Promise<DispatchOutcome>][] = [
      ["before the function answers (body still uploading)", false, async (abort) => {
        const upload = stalled(null);
        const d = echo({ body: upload.body, signal: abort.signal });
        await upload.pulled;
        abort.abort();
        await rejectsWith(d.response, 502, "error receiving function response");
        await upload.cancelled;
        return await d.finished;
      }],
      ["after the head, mid-body", true, async (abort) => {
        const upload = stalled("first");
        const d = echo({ body: upload.body, signal: abort.signal });
        const reader = (await d.response).body!.getReader();
        assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
        abort.abort();
        await assert.rejects(reader.read());
        return await d.finished;
      }],
      ["by cancelling the response body", true, async () => {
        const upload = stalled("first");
        const d = echo({ body: upload.body });
        const body = (await d.response).body!;
        await body.cancel();
        return await d.finished;
      }],
    ];
    for (const [name, reusable, run] of stages) {
      await t.step(`${name} → reusable ${reusable}; the next call works`, async () => {
        const outcome = await run(new AbortController());
        assert.equal(outcome.reusable, reusable);
        if (!reusable) {
          await container.close();
          container = await launcher.launch(specFor(images["raw-http"]), launchSignal());
        }
        const next = await call(container, {
          headers: new Headers({ "x-mode": "echo" }),
          body: textBody("again"),
        });
        assert.equal(next.text, "again");
      });
    }
  });
});

Deno.test("launch() fails with Fn's 502 when the container exits before it is ready", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images["bb-misc"], { env: { MODE: "exit" } });
    await rejectsWith(
      launcher.launch(spec, launchSignal()),
      502,
      /^Container failed to initialize, please ensure/,
    );
    assert.equal(await containerExists(launcher, spec.id), false);
  });
});

Deno.test("launch() rejects an absolute socket symlink with 502", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images["raw-http"], { env: { RAW_ABS_SYMLINK: "1" } });
    await rejectsWith(
      launcher.launch(spec, launchSignal()),
      502,
      /^Container failed to initialize/,
    );
    assert.equal(await containerExists(launcher, spec.id), false);
  });
});

Deno.test("launch() fails with Fn's 504 when the socket never appears", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images["bb-misc"], { env: { MODE: "sleep" } });
    const started = performance.now();
    await rejectsWith(
      launcher.launch(spec, launchSignal()),
      504,
      /^Container initialization timed out, please ensure/,
    );
    assert.ok(performance.now() - started >= 1000);
    assert.equal(await containerExists(launcher, spec.id), false);
  }, { FN_HOT_START_TIMEOUT_MSECS: "1000" });
});

Deno.test("pause() and unpause() freeze and thaw the container", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images.hello);
    const container = await launcher.launch(spec, launchSignal());
    await container.pause();
    assert.equal((await launcher.docker.getContainer(spec.id).inspect()).State.Paused, true);
    await container.unpause();
    assert.equal((await launcher.docker.getContainer(spec.id).inspect()).State.Paused, false);
    assert.equal((await call(container, { body: textBody("again") })).text, "Hello again");
  });
});

Deno.test("close() removes the container and its socket dir", async () => {
  await withLauncher(async (launcher) => {
    const spec = specFor(images.hello);
    const container = await launcher.launch(spec, launchSignal());
    const info = await launcher.docker.getContainer(spec.id).inspect();
    const iofsDir = (info.HostConfig.Binds?.[0] ?? "").split(":")[0] as string;
    assert.ok((await Deno.stat(iofsDir)).isDirectory);
    await container.close();
    await container.close(); // idempotent
    assert.equal(await containerExists(launcher, spec.id), false);
    await assert.rejects(Deno.stat(iofsDir), Deno.errors.NotFound);
    assert.deepEqual(await container.exited, await container.exited);
  });
});

Deno.test("launcher.close() removes every container it started", async () => {
  const ids: string[] = [];
  let docker: import("dockerode") | undefined;
  await withLauncher(async (launcher) => {
    docker = launcher.docker;
    for (let i = 0; i < 2; i++) {
      const spec = specFor(images.hello);
      await launcher.launch(spec, launchSignal());
      ids.push(spec.id);
    }
  });
  for (const id of ids) await assert.rejects(docker!.getContainer(id).inspect());
});

function baseRequest() {
  return {
    callId: "CALL",
    method: "POST",
    url: "http://localhost/invoke/x",
    headers: new Headers(),
    body: null,
    deadline: new Date(Date.now() + 30_000),
    signal: new AbortController().signal,
    maxResponseBytes: 0,
  };
}

/** A body of `size` bytes made only as it is pulled; `cancelled` resolves if it is dropped. */
function generated(size: number): { body: ReadableStream<Uint8Array>; cancelled: Promise<void> } {
  const cancelled = Promise.withResolvers<void>();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(64 * 1024, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n));
    },
    cancel: () => cancelled.resolve(),
  }, { highWaterMark: 1 });
  return { body, cancelled: cancelled.promise };
}

/**
 * A body that sends `first` (if any) and then stalls until it is cancelled; `pulled`
 * resolves once the client asked for data beyond it.
 */
function stalled(first: string | null): {
  body: ReadableStream<Uint8Array>;
  pulled: Promise<void>;
  cancelled: Promise<void>;
} {
  const pulled = Promise.withResolvers<void>();
  const cancelled = Promise.withResolvers<void>();
  let sent = first === null;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode(first!));
        return;
      }
      pulled.resolve();
      return cancelled.promise;
    },
    cancel: () => cancelled.resolve(),
  }, { highWaterMark: 0 });
  return { body, pulled: pulled.promise, cancelled: cancelled.promise };
}
