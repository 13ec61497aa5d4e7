/**
 * The http-stream client's own overhead: sequential calls of the `hello` test image
 * through `HotContainer.dispatch` (launcher from `createDockerLauncher`), against the
 * same container called directly on its socket (a minimal raw HTTP/1.1 exchange).
 * Rounds alternate between the two so drift on a busy machine hits both alike.
 *
 *   deno run -A bench/uds_dispatch.ts [calls=2000] [rounds=4]
 *
 * @module
 */

import type { HotContainer } from "../src/agent/container.ts";
import { callRequest, specFor, testConfig } from "../tests/_container_helpers.ts";
import { createDockerLauncher } from "../src/agent/docker_launcher.ts";
import { ensureTestImages } from "../tests/_images.ts";

const calls = Number(Deno.args[0] ?? 2000);
const rounds = Number(Deno.args[1] ?? 4);
const perRound = Math.ceil(calls / rounds);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One call through fnd's client: dispatch, read the whole body, wait for `finished`. */
async function viaDispatch(container: HotContainer): Promise<void> {
  const d = container.dispatch(
    callRequest({ body: new Response(encoder.encode("bench")).body }),
  );
  const res = await d.response;
  if (res.body !== null) await new Response(res.body).arrayBuffer();
  const outcome = await d.finished;
  if (!outcome.reusable || res.status !== 200) throw new Error("dispatch failed");
}

/**
 * The same call straight on the socket, as cheaply as HTTP/1.1 allows: one kept-alive
 * connection, a pre-encoded request, and a scan for the end of the response. (`fetch`
 * cannot be the baseline: over a Unix socket it sends the absolute-form request line
 * `POST http://localhost/call`, which fdk-node answers with 400.)
 */
class DirectCaller {
  readonly #path: string;
  #conn: Deno.Conn | undefined;
  readonly #buf = new Uint8Array(64 * 1024);

  constructor(path: string) {
    this.#path = path;
  }

  async call(): Promise<void> {
    this.#conn ??= await Deno.connect({ transport: "unix", path: this.#path });
    const conn = this.#conn;
    const request = encoder.encode(
      "POST /call HTTP/1.1\r\nHost: localhost\r\nFn-Call-Id: bench\r\n" +
        `Fn-Deadline: ${new Date(Date.now() + 30_000).toISOString()}\r\n` +
        "Content-Length: 5\r\n\r\nbench",
    );
    await conn.write(request);
    let text = "";
    while (true) {
      const n = await conn.read(this.#buf);
      if (n === null) throw new Error("the function closed the connection");
      text += decoder.decode(this.#buf.subarray(0, n));
      if (!text.startsWith("HTTP/1.1 200")) throw new Error(`direct call: ${text.slice(0, 200)}`);
      // fdk-node answers chunked; a complete response ends with the last-chunk marker.
      if (text.endsWith("\r\n0\r\n\r\n")) return;
    }
  }

  close(): void {
    this.#conn?.close();
  }
}

async function timed(n: number, one: () => Promise<void>, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await one();
    into.push((performance.now() - start) * 1000);
  }
}

function print(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(0).padStart(6);
  return `${name.padEnd(10)} n=${sorted.length}  p50 ${f(percentile(sorted, 0.5))} µs  p99 ${
    f(percentile(sorted, 0.99))
  } µs`;
}

const images = await ensureTestImages();
const launcher = await createDockerLauncher(testConfig());
try {
  const spec = specFor(images.hello);
  const container = await launcher.launch(spec, AbortSignal.timeout(60_000));
  const info = await launcher.docker.getContainer(spec.id).inspect();
  const iofsDir = (info.HostConfig.Binds?.[0] ?? "").split(":")[0];
  const direct = new DirectCaller(`${iofsDir}/lsnr.sock`);
  try {
    const dispatched: number[] = [];
    const directed: number[] = [];
    await timed(200, () => viaDispatch(container), []); // warm-up: JIT and connections
    await timed(200, () => direct.call(), []);
    const rssBefore = Deno.memoryUsage().rss;
    for (let r = 0; r < rounds; r++) {
      await timed(perRound, () => viaDispatch(container), dispatched);
      await timed(perRound, () => direct.call(), directed);
    }
    const rssGrowth = (Deno.memoryUsage().rss - rssBefore) / (1024 * 1024);
    print(summary("dispatch", dispatched));
    print(summary("direct", directed));
    const overhead = (p: number) =>
      percentile([...dispatched].sort((a, b) => a - b), p) -
      percentile([...directed].sort((a, b) => a - b), p);
    print(
      `overhead   p50 ${overhead(0.5).toFixed(0)} µs  p99 ${overhead(0.99).toFixed(0)} µs` +
        `  (rss ${rssGrowth >= 0 ? "+" : ""}${rssGrowth.toFixed(1)} MiB over the run)`,
    );
  } finally {
    direct.close();
  }
} finally {
  await launcher.close();
}
