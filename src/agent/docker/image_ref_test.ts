import assert from "node:assert/strict";
import { parseImageRef } from "./image_ref.ts";

Deno.test("parseImageRef() splits registry, repository and tag like Fn", async (t) => {
  const cases: [string, string, string, string][] = [
    ["busybox", "", "library/busybox", "latest"],
    ["fnproject/hello:0.1", "", "fnproject/hello", "0.1"],
    ["localhost/x/y", "localhost", "x/y", "latest"],
    ["127.0.0.1:5000/fnd/hello:abc", "127.0.0.1:5000", "fnd/hello", "abc"],
    ["registry.example.com/team/fn@sha256:beef", "registry.example.com", "team/fn", "sha256:beef"],
    ["host:5000/repo", "host:5000", "repo", "latest"],
  ];
  for (const [image, registry, repository, tag] of cases) {
    await t.step(image, () => {
      const ref = parseImageRef(image);
      assert.deepEqual([ref.registry, ref.repository, ref.tag], [registry, repository, tag]);
    });
  }
});
