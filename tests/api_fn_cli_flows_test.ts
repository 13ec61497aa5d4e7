/**
 * The request sequences the `fn` CLI (fnproject/cli, v2 client `fn_go/clientv2`) sends
 * for its app, function, config and trigger commands, replayed against a real fnd
 * process. The CLI itself cannot be installed here, so {@linkcode FnCli} reproduces its
 * HTTP traffic: the lookups by name (`GET /v2/apps?name=`, `GET /v2/fns?app_id=&name=`),
 * the read-modify-write PUTs that send the whole object back, the paging loop on
 * `next_cursor`, and Go's JSON encoding of its models (keys sorted, `omitempty`, and
 * `created_at`/`updated_at` always present, as the zero time when unset).
 */

import assert from "node:assert/strict";
import { type Client, client, type HttpResult } from "./_http.ts";
import { startFnd } from "./_server.ts";

const GO_ZERO_TIME = "0001-01-01T00:00:00.000Z";

type Json = Record<string, unknown>;

/** Go's encoding of a swagger model: keys sorted, empty values left out, times always there. */
function goModel(fields: Json): string {
  const out: Json = {};
  for (const key of Object.keys(fields).sort()) {
    const v = fields[key];
    const empty = v === undefined || v === "" || v === 0 ||
      (typeof v === "object" && v !== null && Object.keys(v).length === 0);
    if (!empty || key === "created_at" || key === "updated_at") out[key] = v;
  }
  out.created_at ??= GO_ZERO_TIME;
  out.updated_at ??= GO_ZERO_TIME;
  return JSON.stringify(out);
}

/** `k=v` flags as the CLI turns them into maps (annotation values are JSON or strings). */
function configFlags(flags: string[]): Record<string, string> {
  return Object.fromEntries(
    flags.map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]),
  );
}

function annotationFlags(flags: string[]): Json {
  return Object.fromEntries(flags.map((f) => {
    const [k, raw] = [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)];
    try {
      return [k, JSON.parse(raw)];
    } catch {
      return [k, raw];
    }
  }));
}

/** The CLI's error for a non-2xx answer: the server's `message`. */
class CliError extends Error {
  constructor(res: HttpResult) {
    super(res.json?.message ?? `HTTP ${res.status}`);
  }
}

function ok(res: HttpResult): HttpResult {
  if (res.status >= 300) throw new CliError(res);
  return res;
}

interface FnFlags {
  memory?: number;
  timeout?: number;
  idleTimeout?: number;
  config?: string[];
  annotation?: string[];
  image?: string;
}

/** The `fn` CLI's commands as HTTP sequences. */
class FnCli {
  constructor(readonly api: Client) {}

  async createApp(
    name: string,
    flags: { config?: string[]; annotation?: string[]; syslogUrl?: string } = {},
  ) {
    const body = goModel({
      name,
      config: configFlags(flags.config ?? []),
      annotations: annotationFlags(flags.annotation ?? []),
      syslog_url: flags.syslogUrl,
    });
    return ok(await this.api.post("/v2/apps", body)).json;
  }

  /** `fn list apps`: pages until there is no next_cursor. */
  async listApps(): Promise<string[]> {
    const names: string[] = [];
    let query = "";
    for (let page = 0; page < 100; page++) {
      const res = ok(await this.api.get(`/v2/apps${query}`));
      names.push(...res.json.items.map((a: Json) => a.name));
      if (!res.json.next_cursor) return names;
      query = `?cursor=${encodeURIComponent(res.json.next_cursor)}`;
    }
    throw new Error("fn list apps did not finish within 100 pages");
  }

  async getAppByName(name: string): Promise<Json> {
    const res = ok(await this.api.get(`/v2/apps?name=${encodeURIComponent(name)}`));
    if (res.json.items.length === 0) throw new Error(`app ${name} not found`);
    return res.json.items[0];
  }

  inspectApp(name: string): Promise<Json> {
    return this.getAppByName(name);
  }

  async updateApp(
    name: string,
    flags: { config?: string[]; annotation?: string[]; syslogUrl?: string },
  ) {
    const app = await this.getAppByName(name);
    if (flags.syslogUrl !== undefined) app.syslog_url = flags.syslogUrl;
    if (flags.config?.length) app.config = configFlags(flags.config);
    if (flags.annotation?.length) app.annotations = annotationFlags(flags.annotation);
    return ok(await this.api.put(`/v2/apps/${app.id}`, goModel(app))).json;
  }

  async configApp(name: string, key: string, value: string) {
    const app = await this.getAppByName(name);
    app.config = { [key]: value };
    return ok(await this.api.put(`/v2/apps/${app.id}`, goModel(app))).json;
  }

  async deleteApp(name: string) {
    const app = await this.getAppByName(name);
    ok(await this.api.delete(`/v2/apps/${app.id}`));
  }

  async getFnByName(appId: string, name: string): Promise<Json> {
    const res = ok(await this.api.get(`/v2/fns?app_id=${appId}&name=${encodeURIComponent(name)}`));
    const fn = res.json.items.find((f: Json) => f.name === name);
    if (fn === undefined) throw new Error(`function ${name} not found`);
    return fn;
  }

  async createFn(appName: string, name: string, image: string, flags: FnFlags = {}) {
    const fn: Json = { name, image };
    withFlags(fn, flags);
    const app = await this.getAppByName(appName);
    fn.app_id = app.id;
    return ok(await this.api.post("/v2/fns", goModel(fn))).json;
  }

  async inspectFn(appName: string, name: string): Promise<Json> {
    const app = await this.getAppByName(appName);
    return this.getFnByName(app.id as string, name);
  }

  async updateFn(appName: string, name: string, flags: FnFlags) {
    const fn = await this.inspectFn(appName, name);
    withFlags(fn, flags);
    return ok(await this.api.put(`/v2/fns/${fn.id}`, goModel(fn))).json;
  }

  async configFn(appName: string, name: string, key: string, value: string) {
    const fn = await this.inspectFn(appName, name);
    fn.config = { [key]: value };
    return ok(await this.api.put(`/v2/fns/${fn.id}`, goModel(fn))).json;
  }

  async deleteFn(appName: string, name: string) {
    const fn = await this.inspectFn(appName, name);
    ok(await this.api.delete(`/v2/fns/${fn.id}`));
  }

  async createTrigger(appName: string, fnName: string, name: string, source: string) {
    const app = await this.getAppByName(appName);
    const fn = await this.getFnByName(app.id as string, fnName);
    const body = goModel({
      app_id: app.id,
      fn_id: fn.id,
      name,
      type: "http",
      source: source.startsWith("/") ? source : `/${source}`,
    });
    return ok(await this.api.post("/v2/triggers", body)).json;
  }

  async listTriggers(appName: string, fnName: string): Promise<Json[]> {
    const app = await this.getAppByName(appName);
    const fn = await this.getFnByName(app.id as string, fnName);
    return ok(await this.api.get(`/v2/triggers?app_id=${app.id}&fn_id=${fn.id}`)).json.items;
  }
}

/** The CLI's `WithFlags` for functions. */
function withFlags(fn: Json, flags: FnFlags): void {
  if (flags.image) fn.image = flags.image;
  if (flags.memory) fn.memory = flags.memory;
  fn.config = configFlags(flags.config ?? []);
  if (flags.annotation?.length) fn.annotations = annotationFlags(flags.annotation);
  if (flags.timeout) fn.timeout = flags.timeout;
  if (flags.idleTimeout) fn.idle_timeout = flags.idleTimeout;
}

Deno.test("fn CLI app commands behave as against Fn", async (t) => {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api" } });
  const cli = new FnCli(client(fnd.url));

  await t.step("fn create app, twice: the second fails with App already exists", async () => {
    const app = await cli.createApp("myapp", { config: ["A=1"], annotation: ["team=core"] });
    assert.equal(app.name, "myapp");
    await assert.rejects(() => cli.createApp("myapp"), { message: "App already exists" });
  });

  await t.step("fn create app with an invalid name or syslog URL fails", async () => {
    await assert.rejects(() => cli.createApp("my app"), { message: "Invalid app name" });
    await assert.rejects(
      () => cli.createApp("logs", { syslogUrl: "http://x" }),
      {
        message:
          'invalid syslog url: "http://x" invalid scheme, only [tcp, udp, unix, unixgram, tcp+tls] are supported',
      },
    );
  });

  await t.step("fn inspect app shows the fields", async () => {
    const app = await cli.inspectApp("myapp");
    assert.deepEqual(app.config, { A: "1" });
    assert.deepEqual(app.annotations, { team: "core" });
    assert.match(app.id as string, /^[0-9A-Z]{26}$/);
  });

  await t.step("fn update app --config --annotation --syslog-url is reflected", async () => {
    await cli.updateApp("myapp", {
      config: ["B=2"],
      annotation: ['limits={"x":1}'],
      syslogUrl: "tcp://logs.example.com:514",
    });
    const app = await cli.inspectApp("myapp");
    assert.deepEqual(app.config, { A: "1", B: "2" });
    assert.deepEqual(app.annotations, { limits: { x: 1 }, team: "core" });
    assert.equal(app.syslog_url, "tcp://logs.example.com:514");
  });

  await t.step("fn config app KEY VALUE sets one key; an empty value removes it", async () => {
    await cli.configApp("myapp", "C", "3");
    assert.deepEqual((await cli.inspectApp("myapp")).config, { A: "1", B: "2", C: "3" });
    await cli.configApp("myapp", "A", "");
    assert.deepEqual((await cli.inspectApp("myapp")).config, { B: "2", C: "3" });
  });

  await t.step("fn list apps pages past the first page and finds an app by name", async () => {
    for (let i = 0; i < 40; i++) await cli.createApp(`zz-app-${String(i).padStart(2, "0")}`);
    const names = await cli.listApps();
    assert.equal(names.length, 41);
    assert.ok(names.includes("zz-app-39"), "the last app is on the second page");
    assert.ok(names.includes("myapp"));
  });

  await t.step("fn delete app removes it; deleting again fails", async () => {
    await cli.deleteApp("myapp");
    await assert.rejects(() => cli.inspectApp("myapp"), { message: "app myapp not found" });
    await assert.rejects(() => cli.deleteApp("myapp"), { message: "app myapp not found" });
  });
});

Deno.test("fn CLI function and trigger commands behave as against Fn", async (t) => {
  await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api" } });
  const cli = new FnCli(client(fnd.url));
  await cli.createApp("app");

  await t.step("fn create function, twice: the second fails", async () => {
    const fn = await cli.createFn("app", "hello", "fnproject/hello:0.0.1", { config: ["X=1"] });
    assert.deepEqual([fn.memory, fn.timeout, fn.idle_timeout], [128, 30, 30]);
    await assert.rejects(
      () => cli.createFn("app", "hello", "fnproject/hello:0.0.1"),
      { message: "Fn with specified name already exists" },
    );
  });

  await t.step("fn inspect function shows the fields and the invoke endpoint", async () => {
    const fn = await cli.inspectFn("app", "hello");
    assert.equal(fn.image, "fnproject/hello:0.0.1");
    assert.deepEqual(fn.config, { X: "1" });
    assert.equal(
      (fn.annotations as Json)["fnproject.io/fn/invokeEndpoint"],
      `http://127.0.0.1:${fnd.port}/invoke/${fn.id}`,
    );
  });

  await t.step(
    "fn update function --memory --timeout --idle-timeout --config --annotation --image",
    async () => {
      await cli.updateFn("app", "hello", {
        memory: 256,
        timeout: 60,
        idleTimeout: 120,
        config: ["Y=2"],
        annotation: ["k=v"],
        image: "fnproject/hello:0.0.2",
      });
      const fn = await cli.inspectFn("app", "hello");
      assert.deepEqual(
        [fn.memory, fn.timeout, fn.idle_timeout, fn.image],
        [256, 60, 120, "fnproject/hello:0.0.2"],
      );
      assert.deepEqual(fn.config, { X: "1", Y: "2" });
      assert.equal((fn.annotations as Json).k, "v");
    },
  );

  await t.step("fn update function with invalid values fails and changes nothing", async () => {
    await assert.rejects(
      () => cli.updateFn("app", "hello", { memory: 99999 }),
      { message: "memory value is out of range. It should be between 0 and 8192" },
    );
    await assert.rejects(
      () => cli.updateFn("app", "hello", { timeout: 500 }),
      { message: "timeout value is out of range, must be between 0 and 300" },
    );
    await assert.rejects(
      () => cli.updateFn("app", "hello", { idleTimeout: 5000 }),
      { message: "idle_timeout value is out of range, must be between 0 and 3600" },
    );
    await assert.rejects(
      () => cli.updateFn("app", "hello", { annotation: ["bad key=1"] }),
      {
        message:
          "Invalid annotation key, annotation keys must be non-empty ascii strings excluding whitespace",
      },
    );
    const fn = await cli.inspectFn("app", "hello");
    assert.deepEqual([fn.memory, fn.timeout, fn.idle_timeout], [256, 60, 120]);
  });

  await t.step("fn config function KEY VALUE sets one key", async () => {
    await cli.configFn("app", "hello", "Z", "3");
    assert.deepEqual((await cli.inspectFn("app", "hello")).config, { X: "1", Y: "2", Z: "3" });
  });

  await t.step("fn create trigger prints the endpoint; twice fails", async () => {
    const trigger = await cli.createTrigger("app", "hello", "hello-trigger", "hello");
    assert.equal(trigger.source, "/hello");
    assert.equal(
      (trigger.annotations as Json)["fnproject.io/trigger/httpEndpoint"],
      `http://127.0.0.1:${fnd.port}/t/app/hello`,
    );
    await assert.rejects(
      () => cli.createTrigger("app", "hello", "hello-trigger", "/other"),
      { message: "Trigger already exists" },
    );
    await assert.rejects(
      () => cli.createTrigger("app", "hello", "other-trigger", "/hello"),
      { message: "Trigger with the same type and source exists on this app" },
    );
    assert.deepEqual((await cli.listTriggers("app", "hello")).map((t) => t.name), [
      "hello-trigger",
    ]);
  });

  await t.step("fn delete function removes it and its triggers", async () => {
    await cli.deleteFn("app", "hello");
    await assert.rejects(() => cli.inspectFn("app", "hello"), {
      message: "function hello not found",
    });
    const app = await cli.getAppByName("app");
    assert.equal((await cli.api.get(`/v2/triggers?app_id=${app.id}`)).text, '{"items":[]}');
  });
});
