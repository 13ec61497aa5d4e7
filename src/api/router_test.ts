import assert from "node:assert/strict";
import { ANY_METHOD, Router } from "./router.ts";

function router(): Router<string> {
  return new Router<string>()
    .add("GET", "/", "root")
    .add("GET", "/v2/apps", "list")
    .add("POST", "/v2/apps", "create")
    .add("GET", "/v2/apps/:appID", "get")
    .add("POST", "/invoke/:fnID", "invoke")
    .add(ANY_METHOD, "/t/:app", "trigger")
    .add(ANY_METHOD, "/t/:app/*source", "trigger")
    .add("GET", "/v2/runner/apps/:appID/triggerBySource/:type/*source", "bySource");
}

Deno.test("Router.match() finds routes and decodes parameters", () => {
  const r = router();
  assert.deepEqual(r.match("GET", "/"), { kind: "found", value: "root", params: {} });
  assert.deepEqual(r.match("GET", "/v2/apps/%C3%BCn%20i"), {
    kind: "found",
    value: "get",
    params: { appID: "ün i" },
  });
  assert.deepEqual(r.match("PATCH", "/t/app"), {
    kind: "found",
    value: "trigger",
    params: { app: "app" },
  });
  assert.deepEqual(r.match("GET", "/t/app/"), {
    kind: "found",
    value: "trigger",
    params: { app: "app", source: "/" },
  });
  assert.deepEqual(r.match("GET", "/t/app/pro%62e/x"), {
    kind: "found",
    value: "trigger",
    params: { app: "app", source: "/probe/x" },
  });
  assert.deepEqual(r.match("GET", "/v2/runner/apps/A/triggerBySource/http//s"), {
    kind: "found",
    value: "bySource",
    params: { appID: "A", type: "http", source: "//s" },
  });
});

Deno.test("Router.match() answers 405 when only the method differs", () => {
  const r = router();
  assert.deepEqual(r.match("PATCH", "/v2/apps"), { kind: "method-not-allowed" });
  assert.deepEqual(r.match("HEAD", "/v2/apps"), { kind: "method-not-allowed" });
  assert.deepEqual(r.match("GET", "/invoke/x"), { kind: "method-not-allowed" });
});

Deno.test("Router.match() redirects trailing-slash variants, 301 for GET, 307 else", () => {
  const r = router();
  assert.deepEqual(r.match("GET", "/v2/apps/", "?per_page=2"), {
    kind: "redirect",
    location: "/v2/apps?per_page=2",
    status: 301,
  });
  assert.deepEqual(r.match("POST", "/v2/apps/"), {
    kind: "redirect",
    location: "/v2/apps",
    status: 307,
  });
});

Deno.test("Router.match() gives not-found otherwise", () => {
  const r = router();
  for (
    const [method, path] of [["GET", "/v2/nothing"], ["POST", "/invoke/"], ["GET", "/t/"], [
      "GET",
      "/v2//apps",
    ]]
  ) {
    assert.deepEqual(r.match(method!, path!), { kind: "not-found" }, `${method} ${path}`);
  }
});
