/**
 * Connects to the Docker engine (`DOCKER_HOST` or `/var/run/docker.sock`), pings it and
 * checks its version, with errors that say what to do next.
 *
 * @module
 */

import Docker from "dockerode";

/** The oldest engine fnd runs against (Fn's minimum). */
export const MIN_DOCKER_VERSION = "17.10.0-ce";

/** What {@linkcode connectDocker} learned about the engine. */
export interface DockerEngine {
  readonly docker: Docker;
  /** Where the engine was reached, for messages. */
  readonly endpoint: string;
  readonly version: string;
  /** "1" or "2" ("" when the engine does not say). */
  readonly cgroupVersion: string;
}

/** Options for {@linkcode connectDocker}. */
export interface ConnectDockerOptions {
  /** An existing client (tests); otherwise one from the environment. */
  readonly docker?: Docker;
  /** How long the ping may take. @default {10000} */
  readonly timeoutMs?: number;
}

/** Describes where a client built from the environment connects. */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/**
 * Compares dotted versions numerically by their first three numbers
 * (`20.10.24+dfsg1` vs `17.10.0-ce`); suffixes are ignored.
 *
 * @returns negative, zero or positive like a sort comparator
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    (v.match(/^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/) ?? []).slice(1, 4)
      .map((n) => Number(n ?? 0));
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Creates a client, pings the engine and checks its version.
 *
 * @throws {Error} `cannot reach the Docker engine at …: start dockerd or set DOCKER_HOST`
 *   or `docker version is too old. Required: … Found: …`
 */
export async function connectDocker(options: ConnectDockerOptions = {}): Promise<DockerEngine> {
  const endpoint = dockerEndpoint(Deno.env.toObject());
  const docker = options.docker ?? new Docker();
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let version: Docker.DockerVersion;
  let info: { CgroupVersion?: string };
  try {
    await docker.ping({ abortSignal: signal });
    version = await docker.version({ abortSignal: signal });
    info = await docker.info({ abortSignal: signal });
  } catch (err) {
    throw new Error(
      `cannot reach the Docker engine at ${endpoint}: start dockerd or set DOCKER_HOST ` +
        `(${err instanceof Error ? err.message : err})`,
      { cause: err },
    );
  }
  if (compareVersions(version.Version, MIN_DOCKER_VERSION) < 0) {
    throw new Error(
      `docker version is too old. Required: ${MIN_DOCKER_VERSION} Found: ${version.Version}; ` +
        `upgrade the Docker engine at ${endpoint}`,
    );
  }
  return { docker, endpoint, version: version.Version, cgroupVersion: info.CgroupVersion ?? "" };
}
