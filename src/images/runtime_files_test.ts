import assert from "node:assert/strict";
import { parseLdd } from "./runtime_files.ts";

Deno.test("parseLdd() lists libraries and the loader, skipping the vDSO", () => {
  const out = [
    "\tlinux-vdso.so.1 (0x00007ffd)",
    "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f6a)",
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f6b)",
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f6c)",
  ].join("\n");
  assert.deepEqual(parseLdd(out), [
    "/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib64/ld-linux-x86-64.so.2",
  ]);
  assert.deepEqual(parseLdd("\tnot a dynamic executable"), []);
});
