import assert from "node:assert/strict";
import client from "prom-client";
import { counter, fnHistogram } from "./families.ts";
import { goFloat, StrictHistogram } from "./strict_histogram.ts";

/** The sample lines of `name` in the registry's text output. */
async function lines(registry: client.Registry, name: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(name);
  return text.split("\n").filter((l) => !l.startsWith("#"));
}

Deno.test('StrictHistogram counts a sample on a bound under the next le, and keeps le="0"', async () => {
  const registry = new client.Registry();
  const h = fnHistogram(registry, "fn_attempts", "attempts", [0, 2, 3, 4]);
  h.observe(2); // Fn: attempt count 2 appears first under le="3"
  h.observe(0); // 0 < 0 is false: first under le="2"
  h.observe(-1);
  h.observe(4); // at the last bound: only +Inf
  assert.deepEqual(await lines(registry, "fn_attempts"), [
    'fn_attempts_bucket{le="0"} 1',
    'fn_attempts_bucket{le="2"} 2',
    'fn_attempts_bucket{le="3"} 3',
    'fn_attempts_bucket{le="4"} 3',
    'fn_attempts_bucket{le="+Inf"} 4',
    "fn_attempts_sum 5",
    "fn_attempts_count 4",
  ]);
});

Deno.test("StrictHistogram writes labels in order, then le, and exact sum and count", async () => {
  const registry = new client.Registry();
  const h = fnHistogram(registry, "fn_lat", "latency", [1, 10, 50], ["call_status", "x"]);
  h.observe({ call_status: "completed" }, 10);
  h.observe({ call_status: "completed", x: 'a"b' }, 0.5);
  h.observe({ call_status: "completed" }, 0.25);
  assert.deepEqual(await lines(registry, "fn_lat"), [
    'fn_lat_bucket{call_status="completed",x="",le="1"} 1',
    'fn_lat_bucket{call_status="completed",x="",le="10"} 1',
    'fn_lat_bucket{call_status="completed",x="",le="50"} 2',
    'fn_lat_bucket{call_status="completed",x="",le="+Inf"} 2',
    'fn_lat_sum{call_status="completed",x=""} 10.25',
    'fn_lat_count{call_status="completed",x=""} 2',
    'fn_lat_bucket{call_status="completed",x="a\\"b",le="1"} 1',
    'fn_lat_bucket{call_status="completed",x="a\\"b",le="10"} 1',
    'fn_lat_bucket{call_status="completed",x="a\\"b",le="50"} 1',
    'fn_lat_bucket{call_status="completed",x="a\\"b",le="+Inf"} 1',
    'fn_lat_sum{call_status="completed",x="a\\"b"} 0.5',
    'fn_lat_count{call_status="completed",x="a\\"b"} 1',
  ]);
  assert.match(await registry.metrics(), /^# TYPE fn_lat histogram$/m);
  assert.match(await registry.metrics(), /^# HELP fn_lat latency$/m);
});

Deno.test("StrictHistogram throws on an unknown label and a non-finite value", () => {
  const h = new StrictHistogram({ name: "fn_h", help: "h", buckets: [1], labelNames: ["a"] });
  assert.throws(() => h.observe({ b: "x" } as never, 1), /Added label "b"/);
  assert.throws(() => h.observe({ a: "x" }, Number.NaN), TypeError);
  assert.throws(
    () => new StrictHistogram({ name: "fn_h", help: "h", buckets: [2, 1] }),
    RangeError,
  );
});

Deno.test("StrictHistogram.reset() forgets observations and keeps a label-less zero series", async () => {
  const registry = new client.Registry();
  const h = fnHistogram(registry, "fn_r", "r", [1]);
  h.observe(0);
  registry.resetMetrics();
  assert.deepEqual(await lines(registry, "fn_r"), [
    'fn_r_bucket{le="1"} 0',
    'fn_r_bucket{le="+Inf"} 0',
    "fn_r_sum 0",
    "fn_r_count 0",
  ]);
});

Deno.test("fnHistogram() reuses the family and refuses another kind's name", () => {
  const registry = new client.Registry();
  const a = fnHistogram(registry, "fn_same", "s", [1]);
  assert.equal(fnHistogram(registry, "fn_same", "s", [1]), a);
  counter(registry, "fn_counter", "c");
  assert.throws(() => fnHistogram(registry, "fn_counter", "c", [1]), TypeError);
});

Deno.test("goFloat() writes bounds as Go's exporter writes le", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [1, "1"],
    [0.5, "0.5"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [120000, "120000"],
    [999999, "999999"],
    [1_000_000, "1e+06"],
    [1_048_576, "1.048576e+06"],
    [4096 * 1_048_576, "4.294967296e+09"],
    [-2_500_000, "-2.5e+06"],
  ];
  for (const [n, text] of cases) assert.equal(goFloat(n), text, String(n));
});
