import assert from "node:assert/strict";
import { firstExternalIpv4, machineIdFor } from "./machine_id.ts";

function nic(name: string, family: "IPv4" | "IPv6", address: string): Deno.NetworkInterfaceInfo {
  return { name, family, address, netmask: "", scopeid: null, cidr: "", mac: "" };
}

Deno.test("firstExternalIpv4() skips loopback, docker0 and IPv6", () => {
  const nics = [
    nic("lo", "IPv4", "127.0.0.1"),
    nic("docker0", "IPv4", "172.17.0.1"),
    nic("eth0", "IPv6", "fe80::1"),
    nic("eth0", "IPv4", "10.1.2.3"),
  ];
  assert.equal(firstExternalIpv4(nics), "10.1.2.3");
  assert.equal(firstExternalIpv4([nic("lo", "IPv4", "127.0.0.1")]), undefined);
});

Deno.test("machineIdFor() is ip << 16 | port", () => {
  assert.equal(machineIdFor(8080, [nic("eth0", "IPv4", "10.1.2.3")]), (0x0a010203n << 16n) | 8080n);
  assert.equal(machineIdFor(8080, []), (0x7f000001n << 16n) | 8080n);
});
