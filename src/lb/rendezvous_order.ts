/**
 * Consistent hashing by highest random weight (rendezvous hashing): every runner
 * address gets a score for the key, and runners are visited from the highest score
 * down. A key always starts on the same runner while the runner set is unchanged; it
 * spreads evenly over the runners (unlike Fn's integer jump hash, which never picks
 * index 1); adding a runner moves only the keys that now score highest on it
 * (≈ 1/(n+1) of them); removing one moves only that runner's keys; the configured
 * order of the addresses does not matter. The second-best runner, where a NACK
 * sends the call, is itself spread evenly instead of always being "index + 1".
 *
 * @module
 */

/** Orders `items` by their rendezvous score for `key`, best first (ties keep list order). */
export function rendezvousOrder<T extends { readonly address: string }>(
  items: readonly T[],
  key: string,
): T[] {
  const scored = items.map((item, index) => ({ item, index, score: score(item.address, key) }));
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.item);
}

/** The score of `address` for `key`: a 53-bit hash of both. */
export function score(address: string, key: string): number {
  return hash53(`${address}\u0000${key}`);
}

/**
 * A 53-bit string hash: two multiply-xorshift lanes over the UTF-16 code units, mixed
 * with a murmur-style finalizer. Not cryptographic; uniform enough for placement.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
