/**
 * Fn-compatible identifiers: 26 characters of Crockford base32 over 16 bytes
 * (48-bit Unix ms, 48-bit machine id, 32-bit per-process counter), so they sort by
 * creation time like Fn's and a bare string comparison orders them.
 *
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

let counter = 0;
let machineId = defaultMachineId();

function defaultMachineId(): bigint {
  // 127.0.0.1 << 16 | random port-ish suffix, so two processes on one host differ.
  const ip = (127n << 24n) | 1n;
  const suffix = BigInt(crypto.getRandomValues(new Uint16Array(1))[0] ?? 0);
  return (ip << 16n) | suffix;
}

/**
 * Sets the 48-bit machine id mixed into new ids (Fn uses IPv4 << 16 | port).
 *
 * @throws {RangeError} when `id` does not fit in 48 bits
 */
export function setMachineId(id: bigint): void {
  if (id < 0n || id >= 1n << 48n) {
    throw new RangeError(`Cannot set machine id as it must fit in 48 bits: current value is ${id}`);
  }
  machineId = id;
}

/** Returns a new unique id, e.g. `01M81MM5VMR00040J6M0000001`. */
export function newId(nowMs: number = Date.now()): string {
  counter = (counter + 1) >>> 0;
  const value = (BigInt(nowMs) << 80n) | (machineId << 32n) | BigInt(counter);
  let out = "";
  // 128 bits in 26 base32 digits: the first digit carries the top 3 bits.
  for (let shift = 125n; shift >= 0n; shift -= 5n) {
    out += ALPHABET[Number((value >> shift) & 31n)];
  }
  return out;
}
