/**
 * An exponentially weighted moving average: a cheap running estimate of a duration
 * (a function's call time, a container's start time) that follows changes within a
 * few samples and forgets old ones.
 *
 * @module
 */

/** A moving average; undefined until the first sample. */
export class Ewma {
  readonly #alpha: number;
  #value: number | undefined;

  /**
   * @param alpha weight of each new sample, in (0, 1]; higher follows changes faster
   * @throws {RangeError} when `alpha` is outside (0, 1]
   */
  constructor(alpha = 0.2) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new RangeError(
        `Cannot average as 'alpha' must be in (0, 1]: current value is ${alpha}`,
      );
    }
    this.#alpha = alpha;
  }

  /** The current estimate, or undefined before any sample. */
  get value(): number | undefined {
    return this.#value;
  }

  /** Adds a sample (non-finite or negative samples are ignored). */
  add(sample: number): void {
    if (!(Number.isFinite(sample) && sample >= 0)) return;
    this.#value = this.#value === undefined
      ? sample
      : this.#value + this.#alpha * (sample - this.#value);
  }
}
