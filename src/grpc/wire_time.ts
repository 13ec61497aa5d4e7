/**
 * Time on the runner protocol: timestamps as Go's `2006-01-02T15:04:05.000Z07:00`
 * (always UTC here, so the zone is `Z`) and durations as int64 nanoseconds.
 *
 * @module
 */

/** Formats `date` as `YYYY-MM-DDTHH:MM:SS.mmmZ`; undefined gives `""`. */
export function formatWireTime(date: Date | undefined): string {
  return date === undefined ? "" : date.toISOString();
}

/** Parses a wire timestamp; `""` or garbage gives undefined. */
export function parseWireTime(text: string | undefined): Date | undefined {
  if (text === undefined || text === "") return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Milliseconds (possibly fractional) to whole nanoseconds. */
export function msToNs(ms: number): number {
  return Math.max(0, Math.round(ms * 1e6));
}

/** Nanoseconds to whole milliseconds (truncated, as Fn's latency metrics record). */
export function nsToMs(ns: number): number {
  return Math.max(0, Math.trunc(ns / 1e6));
}
