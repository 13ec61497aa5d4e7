/**
 * Fn-compatible identifiers: 26 characters of Crockford base32 over 16 bytes
 * (48-bit Unix ms, 48-bit machine id, 32-bit per-process counter), so they sort by
 * creation time like Fn's and a bare string comparison orders them.
 *
 * Fn's counter starts at 1 in every process, so two processes with one machine id (one
 * host and `FN_PORT=0`, or containers with the same address and port on two hosts)
 * mint the same ids in the same millisecond. fnd starts each process's counter at a
 * random value below 2^31 instead (`api-v2.md` §2 allows any unique id), and `main.ts`
 * sets the machine id from the port actually bound.
 *
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MACHINE_ID_LIMIT = 1n << 48n;

/** Options of {@linkcode IdGenerator}. */
export interface IdGeneratorOptions {
  /** The 48-bit machine id. @default {127.0.0.1 << 16 | 16 random bits} */
  readonly machineId?: bigint;
  /** The counter of the first id. @default {a random value in 1..2^31-1} */
  readonly firstCounter?: number;
}

/** Mints ids for one process; {@linkcode newId} uses the process-wide one. */
export class IdGenerator {
  #machineId: bigint;
  #counter: number;

  /** @throws {RangeError} when an option is out of range */
  constructor(options: IdGeneratorOptions = {}) {
    this.#machineId = checkMachineId(options.machineId ?? defaultMachineId());
    const first = options.firstCounter ?? randomFirstCounter();
    if (!Number.isInteger(first) || first < 0 || first > 0xffffffff) {
      throw new RangeError(
        `Cannot create an id generator as 'firstCounter' must be a 32-bit unsigned integer: current value is ${first}`,
      );
    }
    this.#counter = (first - 1) >>> 0;
  }

  /** The machine id mixed into new ids. @throws {RangeError} when it does not fit 48 bits */
  set machineId(id: bigint) {
    this.#machineId = checkMachineId(id);
  }

  /** Returns a new id, e.g. `01M81MM5VMR00040J6M0000001`. */
  next(nowMs: number = Date.now()): string {
    this.#counter = (this.#counter + 1) >>> 0;
    const value = (BigInt(nowMs) << 80n) | (this.#machineId << 32n) | BigInt(this.#counter);
    let out = "";
    // 128 bits in 26 base32 digits: the first digit carries the top 3 bits.
    for (let shift = 125n; shift >= 0n; shift -= 5n) {
      out += ALPHABET[Number((value >> shift) & 31n)];
    }
    return out;
  }
}

function checkMachineId(id: bigint): bigint {
  if (id < 0n || id >= MACHINE_ID_LIMIT) {
    throw new RangeError(`Cannot set machine id as it must fit in 48 bits: current value is ${id}`);
  }
  return id;
}

function defaultMachineId(): bigint {
  // 127.0.0.1 << 16 | random port-ish suffix, until main.ts knows the bound port.
  const ip = (127n << 24n) | 1n;
  const suffix = BigInt(crypto.getRandomValues(new Uint16Array(1))[0] ?? 0);
  return (ip << 16n) | suffix;
}

function randomFirstCounter(): number {
  // Below 2^31, so that a process mints over 2^31 ids before the counter wraps.
  return ((crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) >>> 1) || 1;
}

const shared = new IdGenerator();

/**
 * Sets the 48-bit machine id mixed into new ids (Fn uses IPv4 << 16 | port).
 *
 * @throws {RangeError} when `id` does not fit in 48 bits
 */
export function setMachineId(id: bigint): void {
  shared.machineId = id;
}

/** Returns a new unique id, e.g. `01M81MM5VMR00040J6M0000001`. */
export function newId(nowMs: number = Date.now()): string {
  return shared.next(nowMs);
}
