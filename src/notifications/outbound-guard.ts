import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** How host names become addresses; tests hand in their own so no lookup leaves the machine. */
export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Addresses a webhook must never reach (docs/concepts.md): this machine, private networks, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254 among them), multicast, and the reserved
 * and unspecified ranges. IPv6 forms that carry an IPv4 address are checked by that address.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64], // discard-only
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local: deprecated (RFC 3879) but still routed inside some networks
  ["ff00::", 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return v4(groups[6]!, groups[7]!); // mapped, or compatible
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address (with a trailing dotted IPv4 part allowed). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const groups = tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Pure: whether an address (IPv4 or IPv6 text) is one a webhook must never reach. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, "ipv4");
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined && FORBIDDEN.check(v4, "ipv4")) return true;
  return FORBIDDEN.check(address, "ipv6");
}

export type OutboundCheck = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/**
 * Resolves a webhook URL's host and decides whether it may be reached; the address to connect
 * to is returned, so the connection goes to the address that was checked (DNS may answer
 * otherwise a moment later). Every address the name resolves to must be allowed. The URL
 * parser has already turned 127.1, 2130706433 or 0x7f.1 into 127.0.0.1.
 */
export async function checkOutbound(url: URL, options: { allowPrivate: boolean; resolve: HostResolver }): Promise<OutboundCheck> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await options.resolve(host);
    } catch {
      return { ok: false, reason: "its host name does not resolve" };
    }
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: "its host name does not resolve" };
  if (!options.allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) {
    return { ok: false, reason: "it points to a private, loopback, link-local, multicast or reserved address" };
  }
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}
