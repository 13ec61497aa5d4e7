/**
 * Test helper: starts a real fnd process (`deno run -A src/main.ts`) on a free loopback
 * port and stops it afterwards, also when the test failed.
 *
 * ```ts
 * await using fnd = await startFnd({ env: { FN_NODE_TYPE: "api" } });
 * const res = await fetch(`${fnd.url}/v2/apps`);
 * ```
 *
 * Defaults: `FN_PORT=0` (the port is read from the "fnd listening" log line), an SQLite
 * database in a fresh temp dir (`FN_DB_URL`), text logs. The process gets a clean
 * environment: `PATH`, `HOME`, `DENO_DIR` and the `env` given, no inherited `FN_*`.
 *
 * @module
 */

const MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const READY = /fnd listening\b.*\bport=(\d+)|"msg":"fnd listening".*"port":(\d+)/;

/** Options of {@linkcode startFnd}. */
export interface StartFndOptions {
  /** FN_* variables for the process (merged over the defaults). */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. @default {a fresh temp dir, removed at the end} */
  readonly cwd?: string;
  /** How long to wait for "fnd listening". @default {60000} */
  readonly readyTimeoutMs?: number;
  /** Extra `deno run` flags, e.g. `["--v8-flags=--max-old-space-size=256"]`. */
  readonly denoFlags?: readonly string[];
}

/** A running fnd process. */
export interface FndProcess extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The temp dir of this process (holds the default SQLite database). */
  readonly dir: string;
  /** Everything the process wrote to stderr (its log) so far. */
  stderr(): string;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Resolves with the next log line (already written or future) matching `pattern`. */
  waitForLog(pattern: RegExp): Promise<string>;
  /** Sends a signal. */
  kill(signal?: Deno.Signal): void;
  /** Settles when the process has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /**
   * Sends SIGTERM (or `signal`) and waits for the exit; SIGKILL after `timeoutMs`.
   * Removes the temp dir. Idempotent.
   */
  stop(signal?: Deno.Signal, timeoutMs?: number): Promise<Deno.CommandStatus>;
}

class Output {
  text = "";
  readonly #waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  append(chunk: string): void {
    const start = this.text.lastIndexOf("\n") + 1;
    this.text += chunk;
    const lines = this.text.slice(start).split("\n");
    for (const line of lines.slice(0, -1)) this.#notify(line);
  }

  #notify(line: string): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.pattern.test(line)) {
        this.#waiters.splice(i, 1);
        w.resolve(line);
      }
    }
  }

  waitFor(pattern: RegExp): Promise<string> {
    const line = this.text.split("\n").slice(0, -1).find((l) => pattern.test(l));
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }
}

function collect(stream: ReadableStream<Uint8Array>, out: Output): Promise<void> {
  return stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => out.append(chunk) }),
  ).catch(() => {});
}

function baseEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {
    FN_PORT: "0",
    FN_DB_URL: `sqlite3://${dir}/data/fnd.db`,
    FN_LOG_FORMAT: "text",
  };
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "DOCKER_HOST"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Starts fnd and resolves once it listens.
 *
 * @throws {Error} with the process's log when it exits or does not listen in time
 */
export async function startFnd(options: StartFndOptions = {}): Promise<FndProcess> {
  const dir = await Deno.makeTempDir({ prefix: "fnd-test-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(options.denoFlags ?? []), MAIN],
    cwd: options.cwd ?? dir,
    env: { ...baseEnv(dir), ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const err = new Output();
  const out = new Output();
  const drained = Promise.all([collect(child.stderr, err), collect(child.stdout, out)]);
  const status = child.status.then(async (s) => {
    await drained;
    return s;
  });
  let stopping: Promise<Deno.CommandStatus> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM", timeoutMs = 20_000) => {
    stopping ??= stopProcess(child, status, signal, timeoutMs, dir);
    return stopping;
  };
  const port = await waitUntilListening(err, status, options.readyTimeoutMs ?? 60_000).catch(
    async (e: Error) => {
      await stop("SIGKILL");
      throw new Error(`${e.message}\n--- fnd log ---\n${err.text}${out.text}`);
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    dir,
    stderr: () => err.text,
    stdout: () => out.text,
    waitForLog: (pattern) => err.waitFor(pattern),
    kill: (signal = "SIGTERM") => child.kill(signal),
    status,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

async function waitUntilListening(
  err: Output,
  status: Promise<Deno.CommandStatus>,
  timeoutMs: number,
): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`fnd did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const exited = status.then((s): never => {
    throw new Error(`fnd exited with code ${s.code} before listening`);
  });
  try {
    const line = await Promise.race([err.waitFor(READY), exited, timeout]);
    const m = READY.exec(line);
    return Number(m?.[1] ?? m?.[2]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopProcess(
  child: Deno.ChildProcess,
  status: Promise<Deno.CommandStatus>,
  signal: Deno.Signal,
  timeoutMs: number,
  dir: string,
): Promise<Deno.CommandStatus> {
  try {
    child.kill(signal);
  } catch {
    // Already exited.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const force = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const first = await Promise.race([status, force]);
  clearTimeout(timer);
  if (first === undefined) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }
  const final = await status;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  return final;
}
