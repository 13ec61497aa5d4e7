import assert from "node:assert/strict";
import { detectRuntime } from "./build_function_image.ts";

Deno.test("detectRuntime() tells node and shell functions apart and explains a missing entry point", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fnd-fn-" });
  try {
    await assert.rejects(detectRuntime(dir), /neither func\.js \(node\) nor func\.sh/);
    await Deno.writeTextFile(`${dir}/func.sh`, "echo hi");
    assert.equal(await detectRuntime(dir), "shell");
    await Deno.writeTextFile(`${dir}/func.js`, "");
    assert.equal(await detectRuntime(dir), "node");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
