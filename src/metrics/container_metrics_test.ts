import assert from "node:assert/strict";
import { isCrash } from "./container_metrics.ts";

Deno.test("isCrash() tells a container's own exit from fnd's removal", async (t) => {
  const cases: [string, string, { exitCode?: number; oomKilled?: boolean }, boolean, boolean][] = [
    [
      "an exit code of its own after a call",
      "not reusable after the call",
      { exitCode: 7 },
      false,
      true,
    ],
    ["an exit while idle", "exited", { exitCode: 1 }, false, true],
    [
      "the OOM killer",
      "not reusable after the call",
      { exitCode: 137, oomKilled: true },
      false,
      true,
    ],
    ["fnd's kill (137)", "not reusable after the call", { exitCode: 137 }, false, false],
    ["removed before it exited", "idle timeout", {}, false, false],
    ["shutdown", "shutdown", { exitCode: 1 }, false, false],
    ["a single-use container", "not reusable after the call", { exitCode: 0 }, true, false],
  ];
  for (const [title, reason, exit, singleUse, want] of cases) {
    await t.step(title, () => assert.equal(isCrash(reason, exit, singleUse), want));
  }
});
