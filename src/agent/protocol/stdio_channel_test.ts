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
  assert.deepEqual(channel.closeCall(pipes), {
    unconsumedInput: false,
    unverifiedInput: false,
    excessOutput: false,
  });
  assert.equal(channel.broken, false);
});

Deno.test("StdioChannel keeps framing after a call whose input was all required", async () => {
  const stdin = new PassThrough();
  const channel = new StdioChannel(stdin, quiet);
  const pipes = channel.openCall();
  assert.equal(await pipes.writeInput(new Response("head only").body!), true);
  assert.deepEqual(channel.closeCall(pipes), {
    unconsumedInput: false,
    unverifiedInput: false,
    excessOutput: false,
  });
  assert.equal(channel.broken, false);
});

Deno.test("StdioChannel marks framing lost when a call leaves output or input behind", async (t) => {
  await t.step("skippable input, even when all of it was written", async () => {
    const stdin = new PassThrough(); // accepts everything, like the engine's buffers
    const channel = new StdioChannel(stdin, quiet);
    const pipes = channel.openCall();
    const written = await pipes.writeInput(new Response("BODY").body!, { skippable: true });
    assert.equal(written, true);
    assert.deepEqual(channel.closeCall(pipes), {
      unconsumedInput: false,
      unverifiedInput: true,
      excessOutput: false,
    });
    assert.equal(channel.broken, true);
  });
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
