/**
 * Spreads containers over `FN_DOCKER_NETWORKS`, least used first (`agent.md` §2.3).
 *
 * @module
 */

/** A network lease; release it when the container is gone. */
export interface NetworkLease extends Disposable {
  /** The network name, or undefined for Docker's default network. */
  readonly network: string | undefined;
}

/** Counts containers per configured network. */
export class NetworkPicker {
  readonly #usage = new Map<string, number>();

  /** @param networks the configured networks; empty means Docker's default */
  constructor(networks: readonly string[]) {
    for (const n of networks) this.#usage.set(n, 0);
  }

  /** Leases the least-used network (ties: the first configured). */
  acquire(): NetworkLease {
    let best: string | undefined;
    for (const [name, count] of this.#usage) {
      if (best === undefined || count < (this.#usage.get(best) ?? 0)) best = name;
    }
    if (best === undefined) return { network: undefined, [Symbol.dispose]: () => {} };
    const network = best;
    this.#usage.set(network, (this.#usage.get(network) ?? 0) + 1);
    let released = false;
    return {
      network,
      [Symbol.dispose]: () => {
        if (released) return;
        released = true;
        this.#usage.set(network, (this.#usage.get(network) ?? 1) - 1);
      },
    };
  }

  /** Current count per network (for tests and status). */
  usage(): ReadonlyMap<string, number> {
    return new Map(this.#usage);
  }
}
