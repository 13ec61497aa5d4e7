/**
 * Fn's machine id for new ids (`api-v2.md` §2): the IPv4 address of the first interface
 * that is neither loopback nor `docker0`, shifted left 16 bits, OR-ed with the port.
 * `main.ts` passes the port the HTTP server bound, which differs from `FN_PORT` when
 * that is 0.
 *
 * @module
 */

const LOOPBACK = (127n << 24n) | 1n;

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part) & 255), 0n);
}

/** The first non-loopback IPv4 address (not docker0), or undefined. */
export function firstExternalIpv4(
  interfaces: readonly Deno.NetworkInterfaceInfo[] = safeInterfaces(),
): string | undefined {
  return interfaces.find((i) =>
    i.family === "IPv4" && i.name !== "docker0" && !i.address.startsWith("127.")
  )?.address;
}

function safeInterfaces(): Deno.NetworkInterfaceInfo[] {
  try {
    return Deno.networkInterfaces();
  } catch {
    // Without --allow-sys fall back to 127.0.0.1, as Fn does without an address.
    return [];
  }
}

/**
 * `ip << 16 | port` for the first external IPv4 address among `interfaces`
 * (127.0.0.1 when there is none).
 */
export function machineIdFor(
  port: number,
  interfaces: readonly Deno.NetworkInterfaceInfo[] = safeInterfaces(),
): bigint {
  const address = firstExternalIpv4(interfaces);
  const ip = address === undefined ? LOOPBACK : ipv4ToBigInt(address);
  return (ip << 16n) | BigInt(port & 0xffff);
}
