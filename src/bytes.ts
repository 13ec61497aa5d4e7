/**
 * Joining byte arrays (protocol readers and writers, the LB's held answers).
 *
 * @module
 */

/** `parts` as one array: the only part itself when there is one, else a copy of all. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
