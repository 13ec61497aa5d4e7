import assert from "node:assert/strict";
import { compareVersions, MIN_DOCKER_VERSION } from "./docker_connect.ts";

Deno.test("compareVersions() compares engine versions numerically", async (t) => {
  const cases: [string, string, number][] = [
    ["20.10.24+dfsg1", MIN_DOCKER_VERSION, 1],
    ["17.10.0-ce", MIN_DOCKER_VERSION, 0],
    ["17.9.1", MIN_DOCKER_VERSION, -1],
    ["1.13.1", MIN_DOCKER_VERSION, -1],
    ["28.2", "28.1.9", 1],
  ];
  for (const [a, b, sign] of cases) {
    await t.step(`${a} vs ${b}`, () => assert.equal(Math.sign(compareVersions(a, b)), sign));
  }
});
