/**
 * Starting and stopping the fnd process: bad configuration exits 1 naming every bad
 * variable; SIGTERM/SIGINT let in-flight requests finish and exit 0.
 */

import assert from "node:assert/strict";
import { startFnd } from "./_server.ts";

const MAIN = new URL("../src/main.ts", import.meta.url).pathname;

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function runFnd(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-startup-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN],
      cwd: dir,
      env: { ...inherited(), ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test("fnd exits 1 naming each bad variable", async () => {
  const { code, stderr } = await runFnd({ FN_PORT: "abc", FN_NODE_TYPE: "bogus" });
  assert.equal(code, 1);
  assert.match(stderr, /FN_PORT=abc: expected a whole number/);
  assert.match(stderr, /FN_NODE_TYPE=bogus: expected one of full, api, lb, pure-runner/);
});

Deno.test("fnd exits 1 on a datastore URL it does not understand", async () => {
  const { code, stderr } = await runFnd({ FN_DB_URL: "ftp://db.example/x", FN_PORT: "0" });
  assert.equal(code, 1);
  assert.match(stderr, /FN_DB_URL=ftp:\/\/db\.example\/x/);
});

Deno.test("fnd exits 1 on a bad FN_DB_URL without printing its password", async () => {
  const { code, stderr } = await runFnd({ FN_DB_URL: "mysql://u:s3cret@tcp(h:99999)/db" });
  assert.equal(code, 1);
  assert.match(stderr, /FN_DB_URL=mysql:\/\/u:\*\*\*@tcp\(h:99999\)\/db: the port must be/);
  assert.doesNotMatch(stderr, /s3cret/);
});

Deno.test("fnd gives up on an unreachable database after FN_DS_DB_PING_MAX_RETRIES attempts", async () => {
  // Nothing listens on port 1: every attempt is refused at once.
  const { code, stderr } = await runFnd({
    FN_DB_URL: "postgres://fnd:secret@127.0.0.1:1/fnd?sslmode=disable",
    FN_DS_DB_PING_MAX_RETRIES: "2",
    FN_PORT: "0",
  });
  assert.equal(code, 1);
  assert.match(stderr, /after 2 attempts/);
  assert.doesNotMatch(stderr, /secret/);
});

Deno.test("fnd exits 1 when its port is taken", async () => {
  using listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = String((listener.addr as Deno.NetAddr).port);
  const dir = await Deno.makeTempDir({ prefix: "fnd-startup-" });
  try {
    const { code, stderr } = await runFnd({
      FN_NODE_TYPE: "api",
      FN_PORT: port,
      FN_DB_URL: `sqlite3://${dir}/fn.db`,
    });
    assert.equal(code, 1);
    assert.match(stderr, /fnd could not start/);
    assert.match(stderr, /[Aa]ddr(ess)? ?[Ii]n ?[Uu]se/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Starts a POST whose body is held open until `finish()` is called. */
function heldRequest(url: string) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const enc = new TextEncoder();
  controller.enqueue(enc.encode('{"name":'));
  const response = fetch(`${url}/v2/apps`, { method: "POST", body });
  return {
    response,
    finish(rest: string) {
      controller.enqueue(enc.encode(rest));
      controller.close();
    },
  };
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`fnd finishes an in-flight request on ${signal}, then exits 0`, async () => {
    await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api", FN_LOG_LEVEL: "trace" } });
    const held = heldRequest(fnd.url);
    await fnd.waitForLog(/request received.*\/v2\/apps/);
    fnd.kill(signal);
    await fnd.waitForLog(/fnd shutting down/);
    held.finish('"in-flight"}');
    const res = await held.response;
    assert.equal(res.status, 200);
    assert.equal((await res.json()).name, "in-flight");
    const status = await fnd.status;
    assert.equal(status.code, 0, fnd.stderr());
    assert.match(fnd.stderr(), /fnd stopped/);
  });
}

Deno.test("fnd stops waiting for requests after FN_SHUTDOWN_GRACE_MSECS", async () => {
  await using fnd = await startFnd({
    env: { FN_NODE_TYPE: "api", FN_LOG_LEVEL: "trace", FN_SHUTDOWN_GRACE_MSECS: "300" },
  });
  const held = heldRequest(fnd.url);
  // The request never completes its body; the server drops it after the grace period.
  const outcome = held.response.then((r) => r.status, () => "connection closed");
  await fnd.waitForLog(/request received/);
  fnd.kill("SIGTERM");
  const status = await fnd.status;
  assert.equal(status.code, 0, fnd.stderr());
  assert.match(fnd.stderr(), /requests still running after the shutdown grace period/);
  assert.notEqual(await outcome, 200);
});
