/**
 * Test helper: waits for a log line of a running fnd, failing with the log's tail
 * instead of hanging when it does not come.
 *
 * @module
 */

import type { FndProcess } from "./_server.ts";

/**
 * Resolves with the first line of `fnd`'s log matching `pattern`.
 *
 * @throws {Error} with the last log lines when none matches within `timeoutMs`
 */
export async function logLine(
  fnd: FndProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = fnd.stderr().split("\n").slice(-20).join("\n");
      reject(
        new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log tail:\n${tail}`),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([fnd.waitForLog(pattern), late]);
  } finally {
    clearTimeout(timer);
  }
}
