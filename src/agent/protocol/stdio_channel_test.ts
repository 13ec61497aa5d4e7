import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Logger } from "../../log.ts";
import { StdioChannel } from "./stdio_channel.ts";

const quiet = new Logger({ level: 9, format: "text", sink: () => {} });
const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("StdioChannel discards output that arrives between calls", async () => {
  const channel = new StdioChannel(new PassThrough(), quiet);
  await channel.onStdout(enc("late bytes of an earlier call"));
  const pipes = channel.openCall();
  await channel.onStdout(enc("mine"));
  assert.equal(new TextDecoder().decode((await pipes.output.read())!), "mine");
  assert.deepEqual(channel.closeCall(pipes), { unconsumedInput: false, excessOutput: false });
  assert.equal(channel.broken, false);
});

Deno.test("StdioChannel marks framing lost when a call leaves output or input behind", async (t) => {
  await t.step("excess output", async () => {
    const channel = new StdioChannel(new PassThrough(), quiet);
    const pipes = channel.openCall();
    await channel.onStdout(enc("frame EXTRA"));
    assert.equal(channel.closeCall(pipes).excessOutput, true);
    assert.equal(channel.broken, true);
  });
  await t.step("unread input", async () => {
    const stdin = new PassThrough({ highWaterMark: 16 }); // nobody reads it
    const channel = new StdioChannel(stdin, quiet);
    const pipes = channel.openCall();
    const writing = pipes.writeInput(new Response(new Uint8Array(300_000)).body!);
    await new Promise<void>((resolve) => stdin.once("data", () => resolve())); // first slice is out
    stdin.pause();
    assert.equal(channel.closeCall(pipes).unconsumedInput, true);
    stdin.destroy();
    await writing.catch(() => {});
    assert.equal(channel.broken, true);
  });
});
