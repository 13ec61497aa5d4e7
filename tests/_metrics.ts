/**
 * Test helper: scrapes a node's `/metrics` into series (`name{labels}` → value) and
 * sums series by name and label values.
 *
 * @module
 */

/** One scrape: every sample line, keyed by `name{labels}` as exposed. */
export class Scrape {
  readonly text: string;
  readonly #series: [name: string, labels: Record<string, string>, value: number][] = [];

  constructor(text: string) {
    this.text = text;
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      this.#series.push([m[1]!, labels, Number(m[3])]);
    }
  }

  /** The HELP text and TYPE of a family, when exposed. */
  meta(name: string): { help?: string; type?: string } {
    const help = new RegExp(`^# HELP ${name} (.*)$`, "m").exec(this.text)?.[1];
    const type = new RegExp(`^# TYPE ${name} (\\S+)$`, "m").exec(this.text)?.[1];
    return { ...(help ? { help } : {}), ...(type ? { type } : {}) };
  }

  /** Whether any sample of `name` exists. */
  has(name: string): boolean {
    return this.#series.some(([n]) => n === name);
  }

  /** The sum of `name`'s samples whose labels include `labels` (0 when none). */
  sum(name: string, labels: Readonly<Record<string, string>> = {}): number {
    let total = 0;
    for (const [n, l, v] of this.#series) {
      if (n === name && Object.entries(labels).every(([k, want]) => l[k] === want)) total += v;
    }
    return total;
  }
}

/** Scrapes `base/metrics`. */
export async function scrape(base: string): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return new Scrape(await res.text());
}
