import assert from "node:assert/strict";
import { cpuMicros, cpuMicrosOf, formatSpread, spread } from "./stats.ts";

Deno.test("spread() gives the median and range, ignoring values that are not finite", () => {
  assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  assert.equal(spread([4, 1, 3, 2]).median, 2.5);
  assert.equal(spread([NaN, 5]).median, 5);
  assert.equal(formatSpread(spread([])), "n/a");
  assert.equal(formatSpread(spread([7, 7])), "7");
  assert.equal(formatSpread(spread([1, 2, 3])), "2 (1–3)");
});

Deno.test("cpuMicros() reads a process's CPU time, and it grows with work", async () => {
  const before = await cpuMicros(Deno.pid);
  const until = performance.now() + 100;
  let spin = 0;
  while (performance.now() < until) spin++;
  const after = await cpuMicros(Deno.pid);
  assert.ok(spin > 0);
  // 100 ms of spinning is at least 50 ms of CPU even on a busy machine (10 ms ticks).
  assert.ok(after - before >= 50_000, `CPU grew by ${after - before} µs`);
  assert.equal(await cpuMicrosOf([Deno.pid, Deno.pid]) >= 2 * after, true);
});

Deno.test("cpuMicros() parses a command name with spaces and parentheses", async () => {
  // The name field (the executable's name) is the only one that may hold them. The
  // child burns some CPU first, so that fields read from the wrong place would differ.
  const dir = await Deno.makeTempDir();
  const odd = `${dir}/a (b) c`;
  await Deno.copyFile("/bin/bash", odd);
  await Deno.chmod(odd, 0o755);
  const child = new Deno.Command(odd, {
    args: ["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo spun; sleep 5; exit 0"],
    stdout: "piped",
  }).spawn();
  const spun = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    assert.equal((await spun.read()).value?.trim(), "spun");
    const stat = await Deno.readTextFile(`/proc/${child.pid}/stat`);
    assert.match(stat, /^\d+ \(a \(b\) c\) /);
    // The kernel's own count of time on CPU (ns) agrees within a few 10 ms ticks; fields
    // taken two places off (a split on spaces) would be page-fault counts instead.
    const onCpuUs =
      Number((await Deno.readTextFile(`/proc/${child.pid}/schedstat`)).split(" ")[0]) /
      1000;
    const micros = await cpuMicros(child.pid);
    assert.ok(
      Math.abs(micros - onCpuUs) <= 30_000,
      `stat says ${micros} µs, schedstat ${onCpuUs} µs`,
    );
  } finally {
    child.kill();
    await spun.cancel();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
