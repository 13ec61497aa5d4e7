import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import client from "prom-client";
import { APIError } from "../models/api_error.ts";
import { ROUTES } from "../api/routes.ts";
import { ApiMetrics, fnPathLabel, markErrorBlame, MAX_FDK_VERSIONS } from "./api_metrics.ts";

Deno.test("ApiMetrics counts requests by route template and responses by status and blame", async () => {
  const registry = new client.Registry();
  const m = new ApiMetrics(registry);
  const path = m.routed("POST", "/invoke/:fnID");
  const res = markErrorBlame(
    new Response("", { status: 502 }),
    new APIError(502, "x", { blame: "user" }),
  );
  m.responded("POST", path, res, performance.now());
  m.responded(
    "BREW",
    undefined,
    markErrorBlame(new Response("", { status: 500 }), new Error("bug")),
    0,
  );
  const text = await registry.metrics();
  assert.match(text, /^fn_api_request_count\{method="POST",path="\/invoke\/:fn_id"\} 1$/m);
  assert.match(text, /^fn_api_request_count\{method="OTHER",path="invalid"\} 1$/m);
  assert.match(
    text,
    /^fn_api_response_count\{blame="user",fn_fdk_version="",method="POST",path="\/invoke\/:fn_id",status="502"\} 1$/m,
  );
  assert.match(text, /^fn_api_response_count\{blame="service",.*status="500"\} 1$/m);
  assert.match(text, /^# TYPE fn_api_latency histogram$/m);
  assert.match(text, /^# HELP fn_api_latency Latency distribution of API requests$/m);
});

Deno.test("ApiMetrics keeps a bounded set of fn_fdk_version values", async () => {
  const registry = new client.Registry();
  const m = new ApiMetrics(registry);
  for (let i = 0; i < MAX_FDK_VERSIONS + 10; i++) {
    const path = m.routed("POST", "/invoke/:fnID");
    m.responded("POST", path, new Response("", { headers: { "fn-fdk-version": `fdk/${i}` } }), 0);
  }
  const versions = new Set(
    [...(await registry.metrics()).matchAll(
      /fn_api_response_count\{[^}]*fn_fdk_version="([^"]*)"/g,
    )]
      .map((x) => x[1]),
  );
  assert.equal(versions.size, MAX_FDK_VERSIONS + 1);
  assert.ok(versions.has("other"));
});

Deno.test("ApiMetrics counts a latency on a bucket bound under the next le, as Fn", async () => {
  const clock = FakeTimers.install({ toFake: ["performance"] });
  try {
    const registry = new client.Registry();
    const m = new ApiMetrics(registry);
    const path = m.routed("GET", "/v2/apps");
    const started = performance.now();
    clock.tick(10);
    m.responded("GET", path, new Response(""), started);
    const text = await registry.getSingleMetricAsString("fn_api_latency");
    assert.match(text, /^fn_api_latency_bucket\{[^}]*,le="10"\} 0$/m);
    assert.match(text, /^fn_api_latency_bucket\{[^}]*,le="50"\} 1$/m);
    assert.match(text, /^fn_api_latency_sum\{[^}]*\} 10$/m);
  } finally {
    clock.uninstall();
  }
});

Deno.test("fnPathLabel() gives fnd's routes Fn's path labels", () => {
  for (const route of ROUTES) {
    // Fn's server.go names every parameter in snake_case.
    assert.doesNotMatch(fnPathLabel(route.path), /[:*]\w*[A-Z]/, route.path);
  }
  const fn: Record<string, string> = {
    "/": "/",
    "/version": "/version",
    "/metrics": "/metrics",
    "/v2/apps": "/v2/apps",
    "/v2/apps/:appID": "/v2/apps/:app_id",
    "/v2/fns": "/v2/fns",
    "/v2/fns/:fnID": "/v2/fns/:fn_id",
    "/v2/fns/:fnID/calls": "/v2/fns/:fn_id/calls",
    "/v2/fns/:fnID/calls/:callID": "/v2/fns/:fn_id/calls",
    "/v2/fns/:fnID/calls/:callID/log": "/v2/fns/:fn_id/calls",
    "/v2/triggers": "/v2/triggers",
    "/v2/triggers/:triggerID": "/v2/triggers/:trigger_id",
    "/v2/runner/apps/:appID/triggerBySource/:triggerType/*source":
      "/v2/runner/apps/:app_id/triggerBySource/:trigger_type/*trigger_source",
    "/invoke/:fnID": "/invoke/:fn_id",
    "/t/:appName": "/t/:app_name",
    "/t/:appName/*source": "/t/:app_name",
  };
  for (const [template, label] of Object.entries(fn)) {
    assert.ok(ROUTES.some((r) => r.path === template), `fnd has no route ${template}`);
    assert.equal(fnPathLabel(template), label, template);
  }
});
