import assert from "node:assert/strict";
import { withCors } from "./cors.ts";

const VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
const ok = () => Promise.resolve(new Response("ok", { headers: { vary: "Accept" } }));
const headers = ["Origin", "Content-Length", "Content-Type"];

function preflight(origin: string): Request {
  return new Request("http://fnd/v2/apps", {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "PUT" },
  });
}

Deno.test("withCors() answers a preflight with the three Vary headers for every origin list", async (t) => {
  for (const origins of [["*"], ["http://a.example"], ["*", "http://a.example"]]) {
    await t.step(origins.join(","), async () => {
      const res = await withCors({ origins, headers }, ok)(preflight("http://a.example"));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "");
      assert.equal(res.headers.get("vary"), VARY);
      assert.equal(
        res.headers.get("access-control-allow-origin"),
        origins[0] === "*" ? "*" : "http://a.example",
      );
    });
  }
});

Deno.test("withCors() adds Vary: Origin to the handler's own Vary for a listed origin", async () => {
  const handle = withCors({ origins: ["http://a.example"], headers }, ok);
  const res = await handle(new Request("http://fnd/", { headers: { origin: "http://a.example" } }));
  assert.equal(res.headers.get("vary"), "Accept, Origin");
  assert.equal(res.headers.get("access-control-allow-origin"), "http://a.example");
});

Deno.test("withCors() adds its headers to an immutable response by copying it", async () => {
  const immutable = () => Promise.resolve(Response.redirect("http://fnd/v2/apps", 301));
  const handle = withCors({ origins: ["http://a.example"], headers }, immutable);
  const res = await handle(new Request("http://fnd/", { headers: { origin: "http://a.example" } }));
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "http://fnd/v2/apps");
  assert.equal(res.headers.get("vary"), "Origin");
  assert.equal(res.headers.get("access-control-allow-origin"), "http://a.example");
});

Deno.test("withCors() gives 403 to an origin not listed and passes requests without one", async () => {
  const handle = withCors({ origins: ["http://a.example"], headers }, ok);
  const denied = await handle(preflight("http://b.example"));
  assert.equal(denied.status, 403);
  const plain = await handle(new Request("http://fnd/"));
  assert.equal(plain.headers.get("access-control-allow-origin"), null);
});
