import { describe, expect, it } from "vitest";
import { isForbiddenAddress } from "../../src/notifications/outbound-guard.js";

// Addresses are only classified here: nothing connects to any of them.
describe("addresses a webhook must never reach", () => {
  it.each([
    "127.0.0.1", "127.255.0.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
    "169.254.169.254", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
    // Issue 27, item 9: IPv6 site-local (deprecated, still routed inside some networks), documentation, discard.
    "fec0::1", "feff:ffff::1", "2001:db8::1", "100::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:7f00:1::",
    "not an address",
  ])("refuses %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::808:808"])("allows %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});
