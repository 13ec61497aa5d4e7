/**
 * A bench helper process (`deno run -A <script> <args>`) that prints `... port=<n>` once
 * it listens on loopback, and is killed when disposed.
 *
 * @module
 */

/** A running helper server. */
export interface ChildServer extends AsyncDisposable {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly pid: number;
}

/**
 * Starts `script` (a URL next to the caller) and resolves once it printed its port.
 *
 * @throws {Error} when it exits before that
 */
export async function startChildServer(
  script: URL,
  args: readonly string[] = [],
): Promise<ChildServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/port=(\d+)/.test(seen)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${script.pathname} exited before listening`);
    seen += value;
  }
  void reader.cancel().catch(() => {});
  const port = /port=(\d+)/.exec(seen)![1];
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid,
    [Symbol.asyncDispose]: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}
