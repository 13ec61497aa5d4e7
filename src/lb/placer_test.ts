import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import client from "prom-client";
import { APIError, serverTooBusy } from "../models/api_error.ts";
import { ConsistentHashPlacer } from "./ch_placer.ts";
import { LbMetrics } from "./lb_metrics.ts";
import { NaivePlacer } from "./naive_placer.ts";
import type { Placer, PlacerConfig } from "./placer.ts";
import type { AttemptResult, Runner, RunnerPool } from "./runner.ts";

const CONFIG: PlacerConfig = {
  retryAllDelayMs: 10,
  placerTimeoutMs: 500,
  detachedPlacerTimeoutMs: 300,
};

type Behaviour = (signal: AbortSignal) => Promise<AttemptResult> | AttemptResult;

class FakeRunner implements Runner<string> {
  readonly address: string;
  tries = 0;
  behaviour: Behaviour;
  constructor(address: string, behaviour: Behaviour) {
    this.address = address;
    this.behaviour = behaviour;
  }
  async tryExec(_attempt: string, signal: AbortSignal): Promise<AttemptResult> {
    this.tries++;
    return await this.behaviour(signal);
  }
  status(): never {
    throw new Error("not used");
  }
  async close(): Promise<void> {}
}

class FakePool implements RunnerPool<string> {
  calls = 0;
  readonly #lists: (() => readonly Runner<string>[])[];
  constructor(...lists: (() => readonly Runner<string>[])[]) {
    this.#lists = lists;
  }
  runners(): Promise<readonly Runner<string>[]> {
    const list = this.#lists[Math.min(this.calls, this.#lists.length - 1)]!;
    this.calls++;
    try {
      return Promise.resolve(list());
    } catch (err) {
      return Promise.reject(err);
    }
  }
  async shutdown(): Promise<void> {}
}

const nack: Behaviour = () => ({ placed: false, error: serverTooBusy() });
const ok: Behaviour = () => ({ placed: true });
const userFailed = () => new APIError(502, "function failed", { blame: "user" });
const internal = () => new APIError(500, "Unable to find the call handle");

const PLACERS: Record<string, (pool: RunnerPool<string>, m: LbMetrics) => Placer<string>> = {
  naive: (pool, m) => new NaivePlacer(pool, m, CONFIG),
  ch: (pool, m) => new ConsistentHashPlacer(pool, m, CONFIG),
};

function request(signal: AbortSignal = new AbortController().signal, fnId = "fn1") {
  return { fnId, attempt: "call", signal, detached: false };
}

async function withClock(fn: (clock: FakeTimers.InstalledClock) => Promise<void>): Promise<void> {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  try {
    await fn(clock);
  } finally {
    clock.uninstall();
  }
}

/** Settles `promise` while advancing the fake clock by `ms`. */
async function settle<T>(clock: FakeTimers.InstalledClock, promise: Promise<T>, ms: number) {
  const outcome = promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  await clock.tickAsync(ms);
  return await outcome;
}

async function metricValue(registry: client.Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.reduce((s, v) => s + v.value, 0) ?? 0;
}

/** One sample's value, by its full name (`<histogram>_sum`, a counter's name, ...). */
async function sampleValue(registry: client.Registry, name: string): Promise<number> {
  const text = await registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

for (const [kind, make] of Object.entries(PLACERS)) {
  Deno.test(`${kind} place() gives a user 502 from an empty pool at once`, async () => {
    const pool = new FakePool(() => {
      throw userFailed();
    });
    const placer = make(pool, new LbMetrics(new client.Registry()));
    await assert.rejects(placer.place(request()), (e) => e instanceof APIError && e.status === 502);
    assert.ok(pool.calls <= 1);
  });

  Deno.test(`${kind} place() polls an empty pool until the placer timeout, then 503`, async () => {
    await withClock(async (clock) => {
      const pool = new FakePool(() => []);
      const registry = new client.Registry();
      const placer = make(pool, new LbMetrics(registry));
      const out = await settle(clock, placer.place(request()), 600);
      assert.ok("error" in out && out.error instanceof APIError && out.error.status === 503);
      assert.equal((out.error as APIError).retryAfterSeconds, 15);
      assert.ok(pool.calls > 1);
      assert.equal(await metricValue(registry, "fn_lb_placer_timeout_count"), 1);
      assert.ok(await metricValue(registry, "fn_lb_placer_rp_empty_count") > 1);
    });
  });

  Deno.test(`${kind} place() keeps polling on a service error, then returns it`, async () => {
    await withClock(async (clock) => {
      const pool = new FakePool(() => {
        throw internal();
      });
      const placer = make(pool, new LbMetrics(new client.Registry()));
      const out = await settle(clock, placer.place(request()), 600);
      assert.ok("error" in out && out.error instanceof APIError && out.error.status === 500);
      assert.ok(pool.calls > 1);
    });
  });

  Deno.test(`${kind} place() tries every runner per pass, then a user 502 ends it`, async () => {
    await withClock(async (clock) => {
      const a = new FakeRunner("a:1", nack);
      const b = new FakeRunner("b:1", nack);
      const pool = new FakePool(() => [a, b], () => [a, b], () => {
        throw userFailed();
      });
      const placer = make(pool, new LbMetrics(new client.Registry()));
      const out = await settle(clock, placer.place(request()), 100);
      assert.ok("error" in out && out.error instanceof APIError && out.error.status === 502);
      assert.equal(pool.calls, 3);
      assert.equal(a.tries, 2);
      assert.equal(b.tries, 2);
    });
  });

  Deno.test(`${kind} place() spreads NACKs evenly until the placer timeout`, async () => {
    await withClock(async (clock) => {
      const a = new FakeRunner("a:1", nack);
      const b = new FakeRunner("b:1", nack);
      const registry = new client.Registry();
      const placer = make(new FakePool(() => [a, b]), new LbMetrics(registry));
      const out = await settle(clock, placer.place(request()), 600);
      assert.ok("error" in out && out.error instanceof APIError && out.error.status === 503);
      assert.ok(a.tries > 1 && b.tries > 1);
      assert.ok(Math.abs(a.tries - b.tries) <= 1);
      assert.equal(await metricValue(registry, "fn_lb_placer_retry_busy_count"), a.tries + b.tries);
    });
  });

  Deno.test(`${kind} place() commits on the runner that does not NACK`, async () => {
    const a = new FakeRunner("a:1", nack);
    const b = new FakeRunner("b:1", ok);
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [a, b]), new LbMetrics(registry));
    await placer.place(request());
    assert.equal(b.tries, 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_ok_count"), 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_call_count"), 1);
  });

  Deno.test(`${kind} place() never retries a committed failure`, async () => {
    const failure = new APIError(502, "function failed", { blame: "user" });
    const a = new FakeRunner("a:1", () => ({ placed: true, error: failure }));
    const b = new FakeRunner("b:1", () => ({ placed: true, error: failure }));
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [a, b]), new LbMetrics(registry));
    await assert.rejects(placer.place(request()), (e) => e === failure);
    assert.equal(a.tries + b.tries, 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_error_count"), 1);
  });

  Deno.test(`${kind} place() gives 503 when the client cancels between attempts`, async () => {
    const controller = new AbortController();
    const cancelThenNack: Behaviour = () => {
      controller.abort();
      return { placed: false, error: serverTooBusy() };
    };
    const a = new FakeRunner("a:1", cancelThenNack);
    const b = new FakeRunner("b:1", cancelThenNack);
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [a, b]), new LbMetrics(registry));
    await assert.rejects(
      placer.place(request(controller.signal)),
      (e) => e instanceof APIError && e.status === 503,
    );
    assert.equal(a.tries + b.tries, 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_client_cancelled_count"), 1);
  });

  Deno.test(`${kind} place() stops at a final result without counting an attempt or a commit`, async () => {
    const a = new FakeRunner("a:1", () => ({ placed: false, final: true, error: serverTooBusy() }));
    const b = new FakeRunner("b:1", ok);
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [a, a, b]), new LbMetrics(registry));
    await assert.rejects(placer.place(request()), (e) => e instanceof APIError && e.status === 503);
    assert.deepEqual([a.tries, b.tries], [1, 0]);
    for (
      const [name, value] of [
        ["fn_lb_placer_placed_call_count", 0],
        ["fn_lb_placer_not_placed_call_count", 1],
        ["fn_lb_placer_placed_error_count", 0],
        ["fn_lb_placer_retry_busy_count", 0],
        ["fn_lb_placer_retry_error_count", 0],
        ["fn_lb_placer_attempt_count_count", 1],
        ["fn_lb_placer_attempt_count_sum", 0],
      ] as const
    ) assert.equal(await sampleValue(registry, name), value, name);
  });

  Deno.test(`${kind} place() does not count the LB's shutdown as a client cancel`, async () => {
    const closing = new AbortController();
    const cut: Behaviour = (signal) => {
      closing.abort(serverTooBusy()); // LbAgent.close() after its grace period
      return { placed: true, error: signal.reason };
    };
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [new FakeRunner("a:1", cut)]), new LbMetrics(registry));
    await assert.rejects(placer.place(request(closing.signal)));
    assert.equal(await metricValue(registry, "fn_lb_placer_client_cancelled_count"), 0);
    assert.equal(await metricValue(registry, "fn_lb_placer_client_timeout_count"), 0);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_abort_count"), 0);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_error_count"), 1);
  });

  Deno.test(`${kind} place() counts a client cancel during an attempt as abort and cancel`, async () => {
    const caller = new AbortController();
    const cut: Behaviour = (signal) => {
      caller.abort(new DOMException("client left", "AbortError"));
      return { placed: true, error: signal.reason };
    };
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [new FakeRunner("a:1", cut)]), new LbMetrics(registry));
    await assert.rejects(placer.place(request(caller.signal)));
    assert.equal(await metricValue(registry, "fn_lb_placer_client_cancelled_count"), 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_abort_count"), 1);
    assert.equal(await metricValue(registry, "fn_lb_placer_placed_error_count"), 0);
  });

  Deno.test(`${kind} place() never interrupts a running attempt at the placer timeout`, async () => {
    await withClock(async (clock) => {
      const slow = new FakeRunner("a:1", async () => {
        await new Promise((r) => setTimeout(r, 2000));
        return { placed: true };
      });
      const placer = make(new FakePool(() => [slow]), new LbMetrics(new client.Registry()));
      const out = await settle(clock, placer.place(request()), 2500);
      assert.ok("value" in out);
      assert.equal(slow.tries, 1);
    });
  });

  Deno.test(`${kind} place() uses the detached placer timeout for detached calls`, async () => {
    await withClock(async (clock) => {
      const placer = make(new FakePool(() => []), new LbMetrics(new client.Registry()));
      const done = placer.place({ ...request(), detached: true });
      const early = await settle(clock, done, 310);
      assert.ok("error" in early && early.error instanceof APIError && early.error.status === 503);
    });
  });

  Deno.test(`${kind} place() records how many runners it attempted`, async () => {
    const a = new FakeRunner("a:1", nack);
    const b = new FakeRunner("b:1", nack);
    const c = new FakeRunner("c:1", ok);
    const registry = new client.Registry();
    const placer = make(new FakePool(() => [a, b, c]), new LbMetrics(registry));
    await placer.place(request());
    const hist = await registry.getSingleMetric("fn_lb_placer_attempt_count")!.get();
    const sum = hist.values.find((v) =>
      (v as { metricName?: string }).metricName === "fn_lb_placer_attempt_count_sum"
    );
    assert.equal(sum?.value, a.tries + b.tries + c.tries);
  });
}

Deno.test("NaivePlacer starts successive placements on successive runners", async () => {
  const first: string[] = [];
  const runners = ["a:1", "b:1", "c:1"].map((addr) =>
    new FakeRunner(addr, () => {
      first.push(addr);
      return { placed: true };
    })
  );
  const placer = new NaivePlacer(new FakePool(() => runners), new LbMetrics(new client.Registry()));
  for (let i = 0; i < 6; i++) await placer.place(request());
  assert.deepEqual(first, ["a:1", "b:1", "c:1", "a:1", "b:1", "c:1"]);
});
