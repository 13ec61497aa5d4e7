/**
 * Reads typed values from environment variables and collects every problem, so a bad
 * configuration is reported all at once with what to set instead.
 *
 * @module
 */

/** Options for {@linkcode EnvReader.int}. */
export interface IntOptions {
  readonly min?: number;
  readonly max?: number;
}

/** Reads FN_* variables; problems are collected in `errors` rather than thrown. */
export class EnvReader {
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly errors: string[] = [];

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.#env = env;
  }

  /** The raw value, or `<NAME>_FILE`'s contents (as Fn allows), or undefined. */
  raw(name: string): string | undefined {
    const value = this.#env[name];
    if (value !== undefined) return value;
    const file = this.#env[`${name}_FILE`];
    if (file === undefined || file === "") return undefined;
    try {
      return Deno.readTextFileSync(file);
    } catch (err) {
      this.errors.push(`${name}_FILE=${file}: cannot read the file (${errorText(err)})`);
      return undefined;
    }
  }

  /** A string; empty or unset gives `fallback`. */
  string(name: string, fallback: string): string {
    const value = this.raw(name);
    return value === undefined || value === "" ? fallback : value;
  }

  /** An integer within bounds; empty or unset gives `fallback`. */
  int(name: string, fallback: number, options: IntOptions = {}): number {
    const value = this.raw(name)?.trim();
    if (value === undefined || value === "") return fallback;
    if (!/^-?\d+$/.test(value)) {
      this.errors.push(`${name}=${value}: expected a whole number`);
      return fallback;
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n)) {
      this.errors.push(`${name}=${value}: the number is too large`);
      return fallback;
    }
    if (options.min !== undefined && n < options.min) {
      this.errors.push(`${name}=${value}: must be at least ${options.min}`);
      return fallback;
    }
    if (options.max !== undefined && n > options.max) {
      this.errors.push(`${name}=${value}: must be at most ${options.max}`);
      return fallback;
    }
    return n;
  }

  /** A boolean in Go's `ParseBool` spellings; empty or unset gives `fallback`. */
  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.trim();
    if (value === undefined || value === "") return fallback;
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
    this.errors.push(`${name}=${value}: expected true or false`);
    return fallback;
  }

  /** One of `choices` (compared case-insensitively); empty or unset gives `fallback`. */
  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(name)?.trim();
    if (value === undefined || value === "") return fallback;
    const match = choices.find((c) => c.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      this.errors.push(`${name}=${value}: expected one of ${choices.join(", ")}`);
      return fallback;
    }
    return match;
  }

  /** A comma- or whitespace-separated list with empty entries dropped. */
  list(name: string, separator: RegExp = /[\s,]+/): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    return value.split(separator).map((s) => s.trim()).filter((s) => s !== "");
  }

  /** Records a problem found by a caller's own check. */
  fail(name: string, value: string, expected: string): void {
    this.errors.push(`${name}=${value}: ${expected}`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
