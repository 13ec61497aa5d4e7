/**
 * Helpers for the container tests: a test agent config, container specs for the
 * fixture images, a launcher whose containers carry a test-only label, and a one-call
 * dispatch helper.
 *
 * @module
 */

import { EnvReader } from "../src/_env.ts";
import { type AgentConfig, readAgentConfig } from "../src/agent/agent_config.ts";
import type {
  ContainerSpec,
  DispatchOutcome,
  DispatchRequest,
  FunctionFormat,
  HotContainer,
} from "../src/agent/container.ts";
import { createDockerLauncher, type DockerLauncher } from "../src/agent/docker_launcher.ts";
import { newId } from "../src/models/id.ts";
import { configureLogging } from "../src/log.ts";

/** Label value for containers made by these tests (so cleanup never touches others). */
export const TEST_LABEL_TAG = "fnd-container-test";

// Keep test output readable: function output is logged at debug.
configureLogging({ level: "warn" });

/** The agent config of the tests, from Fn's defaults plus `env`. */
export function testConfig(env: Record<string, string> = {}): AgentConfig {
  const reader = new EnvReader({
    FN_CONTAINER_LABEL_TAG: TEST_LABEL_TAG,
    FN_FREEZE_IDLE_MSECS: "-1",
    ...env,
  });
  const config = readAgentConfig(reader);
  if (reader.errors.length > 0) throw new Error(reader.errors.join("; "));
  return config;
}

/** A spec for `image` with the http-stream env an FDK needs. */
export function specFor(
  image: string,
  options: { format?: FunctionFormat; env?: Record<string, string>; memoryMb?: number } = {},
): ContainerSpec {
  const format = options.format ?? "http-stream";
  const appId = newId();
  const fnId = newId();
  return {
    id: newId(),
    appId,
    appName: "testapp",
    fnId,
    fnName: "testfn",
    image,
    env: {
      FN_APP_ID: appId,
      FN_FN_ID: fnId,
      FN_MEMORY: String(options.memoryMb ?? 128),
      FN_TYPE: "sync",
      FN_FORMAT: format,
      FN_LISTENER: "unix:/tmp/iofs/lsnr.sock",
      ...options.env,
    },
    memoryMb: options.memoryMb ?? 128,
    cpuMillis: 0,
    format,
  };
}

/** A call request with sensible defaults. */
export function callRequest(overrides: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    callId: newId(),
    method: "POST",
    url: "http://localhost:8080/invoke/x",
    headers: new Headers(),
    body: null,
    deadline: new Date(Date.now() + 30_000),
    signal: new AbortController().signal,
    maxResponseBytes: 0,
    ...overrides,
  };
}

/** A body stream of `text`. */
export function textBody(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body!;
}

/** What one call returned. */
export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly outcome: DispatchOutcome;
}

/** Dispatches one call and reads the whole response; rejects with the call's `APIError`. */
export async function call(
  container: HotContainer,
  overrides: Partial<DispatchRequest> = {},
): Promise<CallResult> {
  const dispatch = container.dispatch(callRequest(overrides));
  try {
    const res = await dispatch.response;
    const text = res.body === null ? "" : await new Response(res.body).text();
    return { status: res.status, headers: res.headers, text, outcome: await dispatch.finished };
  } finally {
    await dispatch.finished;
  }
}

/** Runs `fn` with a fresh launcher and closes it (removing its containers) afterwards. */
export async function withLauncher(
  fn: (launcher: DockerLauncher) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const launcher = await createDockerLauncher(testConfig(env));
  try {
    await fn(launcher);
  } finally {
    await launcher.close();
  }
}

/** Whether a container with this name exists. */
export async function containerExists(launcher: DockerLauncher, name: string): Promise<boolean> {
  try {
    await launcher.docker.getContainer(name).inspect();
    return true;
  } catch {
    return false;
  }
}
