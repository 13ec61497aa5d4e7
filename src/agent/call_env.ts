/**
 * What a function container is started with: its stdin/stdout format (from the
 * `fnd.io/format` annotation) and its environment (agent.md §1.1).
 *
 * @module
 */

import { CallBuildError } from "./call_build_error.ts";
import type { App } from "../models/app.ts";
import type { Fn } from "../models/fn.ts";
import type { FunctionFormat } from "./container.ts";

/** The annotation that selects a function's container format. */
export const FORMAT_ANNOTATION = "fnd.io/format";

/** Every format fnd can run, http-stream (the FDKs' protocol) first. */
export const FUNCTION_FORMATS: readonly FunctionFormat[] = [
  "http-stream",
  "http",
  "json",
  "default",
];

/** Where an http-stream function listens, as seen inside its container. */
export const FN_LISTENER = "unix:/tmp/iofs/lsnr.sock";

/**
 * The format of `fn`: the `fnd.io/format` annotation, or `http-stream` when absent.
 *
 * @throws {CallBuildError} 400 when the annotation is not one of {@linkcode FUNCTION_FORMATS}
 */
export function functionFormat(fn: Fn): FunctionFormat {
  const value = fn.annotations[FORMAT_ANNOTATION];
  if (value === undefined) return "http-stream";
  const match = FUNCTION_FORMATS.find((f) => f === value);
  if (match === undefined) {
    throw new CallBuildError(
      400,
      `Invalid annotation ${FORMAT_ANNOTATION}: ${JSON.stringify(value)} is not a known format, ` +
        `use one of ${FUNCTION_FORMATS.map((f) => JSON.stringify(f)).join(", ")} ` +
        `(or remove it for "http-stream")`,
    );
  }
  return match;
}

/**
 * The container environment: app config, then fn config (fn wins), then the `FN_*`
 * variables forced on top. `FN_APP_NAME` and `FN_FN_NAME` are an fnd extension that
 * fdk-node reads for `ctx.appName`/`ctx.fnName`; `FN_LISTENER` is only set for
 * http-stream, the one format that listens on a socket.
 */
export function buildContainerEnv(
  app: App,
  fn: Fn,
  format: FunctionFormat,
): Record<string, string> {
  const env: Record<string, string> = { ...app.config, ...fn.config };
  env.FN_MEMORY = String(fn.memoryMb);
  env.FN_TYPE = "sync";
  env.FN_FN_ID = fn.id;
  env.FN_APP_ID = app.id;
  env.FN_APP_NAME = app.name;
  env.FN_FN_NAME = fn.name;
  if (format === "http-stream") env.FN_LISTENER = FN_LISTENER;
  env.FN_FORMAT = format;
  return env;
}
