import assert from "node:assert/strict";
import { parseImageRef } from "./image_ref.ts";
import { RegistryAuth } from "./registry_auth.ts";

Deno.test("RegistryAuth.forImage() matches a registry and its parent domains", () => {
  const auth = new RegistryAuth(JSON.stringify({
    auths: {
      "https://registry.example.com/v1/": { auth: btoa("user:pa:ss") },
      "127.0.0.1:5000": { username: "u2", password: "p2" },
    },
  }));
  const exact = auth.forImage(parseImageRef("registry.example.com/a/b:1"));
  assert.equal(exact?.username, "user");
  assert.equal(exact?.password, "pa:ss");
  assert.equal(auth.forImage(parseImageRef("example.com/a/b"))?.username, "user");
  assert.equal(auth.forImage(parseImageRef("127.0.0.1:5000/x"))?.password, "p2");
  assert.equal(auth.forImage(parseImageRef("other.io/x")), undefined);
  assert.equal(auth.forImage(parseImageRef("busybox")), undefined);
});

Deno.test("RegistryAuth uses the Hub entry for images without a registry", () => {
  const auth = new RegistryAuth(JSON.stringify({ "index.docker.io": { auth: btoa("h:p") } }));
  assert.equal(auth.forImage(parseImageRef("fnproject/hello"))?.username, "h");
});

Deno.test("new RegistryAuth() throws a clear error for bad JSON", () => {
  assert.throws(() => new RegistryAuth("{nope"), /FN_DOCKER_AUTH is not valid JSON/);
});
