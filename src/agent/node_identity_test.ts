import assert from "node:assert/strict";
import { hostname } from "node:os";
import { nodeIdentity } from "./node_identity.ts";

Deno.test("nodeIdentity() names role, host and port", () => {
  assert.equal(nodeIdentity({ role: "full", port: 8080 }, "web1"), "full@web1:8080");
  assert.equal(nodeIdentity({ role: "pure-runner", port: 9190 }), `pure-runner@${hostname()}:9190`);
});
