/**
 * The `RunnerProtocol` messages fnd sends, built so that they encode byte for byte as
 * Fn's Go peers encode them (`lb-runner.md` §0.2). Go's proto3 marshaller leaves every
 * field that holds its default value (`""`, `0`, `false`, empty bytes) off the wire;
 * protobufjs writes every field that is *present* in the object, defaults included
 * (an EOF frame `{data: empty, eof: true}` becomes `12 04 0a 00 10 01` instead of Go's
 * `12 02 10 01`). So fnd's senders never put a default-valued field into a message.
 *
 * @module
 */

import type {
  CallFinished,
  ClientMsg,
  HttpHeader,
  RunnerMsg,
  RunnerStatus,
  TryCall,
} from "./runner_messages.ts";

/**
 * A shallow copy of `message` without the fields that hold proto3 defaults (`""`, `0`,
 * `false`, empty bytes, `null`/`undefined`), so they are not encoded.
 */
export function withoutDefaults<T extends object>(message: T): T {
  const out: Record<string, unknown> = {};
  for (const key in message) {
    const value: unknown = message[key];
    if (
      value === undefined || value === null || value === "" || value === 0 || value === false ||
      (value instanceof Uint8Array && value.byteLength === 0)
    ) continue;
    out[key] = value;
  }
  return out as T;
}

/** The LB's last request frame: `eof=true`, no data (Go: `12 02 10 01`). */
export const EOF_FRAME: ClientMsg = Object.freeze({ data: Object.freeze({ eof: true }) });

/** The LB's first message (`slot_hash_id: ""` is left off, as Go does). */
export function tryCallMessage(tryCall: TryCall): ClientMsg {
  return { try: withoutDefaults(tryCall) };
}

/** A request body frame with `eof=false` (left off the wire). `data` must not be empty. */
export function requestFrame(data: Uint8Array): ClientMsg {
  return { data: { data } };
}

/** A response body frame with `eof=false` (left off the wire). `data` must not be empty. */
export function responseFrame(data: Uint8Array): RunnerMsg {
  return { data: { data } };
}

/** The response head: `CallResultStart{http (field 100): {status_code, headers}}`. */
export function resultStartMessage(
  statusCode: number,
  headers: readonly (readonly [string, string])[] = [],
): RunnerMsg {
  const list: HttpHeader[] = headers.map(([key, value]) =>
    (value === "" ? { key } : { key, value }) as HttpHeader
  );
  return { resultStart: { http: { statusCode, headers: list } } };
}

/** `CallFinished` without its default-valued fields (a NACK has no `success: false` byte). */
export function finishedMessage(finished: CallFinished): RunnerMsg {
  return { finished: withoutDefaults(finished) };
}

/** A `Status`/`Status2` answer without its default-valued fields. */
export function statusMessage(status: RunnerStatus): RunnerStatus {
  return withoutDefaults(status);
}
