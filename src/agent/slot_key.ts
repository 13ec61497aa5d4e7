/**
 * The slot-queue key: a hash of everything that makes two containers interchangeable
 * (agent.md §3.2). Any change to the image, config, resources, timeouts, annotations,
 * syslog URL or format gives a new key, so old containers age out through their idle
 * timeout instead of serving calls with stale settings.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { FunctionFormat } from "./container.ts";

/** The fields the key covers. */
export interface SlotKeyInput {
  readonly appId: string;
  readonly fnId: string;
  readonly image: string;
  readonly syslogUrl?: string;
  readonly timeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly memoryMb: number;
  readonly cpuMillis: number;
  /** The container environment (app + fn config and the FN_* variables). */
  readonly env: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly format: FunctionFormat;
}

/** A hex SHA-256 over `input`; equal inputs (in any key order) give equal keys. */
export function slotKey(input: SlotKeyInput): string {
  const hash = createHash("sha256");
  // NUL separates fields: no field of a stored entity can contain it ambiguously
  // because each value is also length-prefixed.
  const field = (value: string) => hash.update(`${value.length}:${value}\0`);
  field(input.appId);
  field(input.syslogUrl ?? "");
  field(input.fnId);
  field(input.image);
  field(input.format);
  field(String(input.timeoutSeconds));
  field(String(input.idleTimeoutSeconds));
  field(String(input.memoryMb));
  field(String(input.cpuMillis));
  for (const [k, v] of sortedEntries(input.env)) {
    field(k);
    field(v);
  }
  hash.update("\0");
  for (const [k, v] of sortedEntries(input.annotations)) {
    field(k);
    field(JSON.stringify(v) ?? "");
  }
  return hash.digest("hex");
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
