import { BlockList, isIP } from "node:net";

/** The address ranges `http-request` refuses by default, with the reason each gives. */
const REFUSED_RANGES: readonly (readonly [cidr: string, reason: string])[] = [
  ["169.254.169.254/32", "a cloud metadata address"],
  ["fd00:ec2::254/128", "a cloud metadata address"],
  ["0.0.0.0/8", "an unspecified address"],
  ["::/128", "an unspecified address"],
  ["127.0.0.0/8", "a loopback address"],
  ["::1/128", "a loopback address"],
  ["10.0.0.0/8", "a private address"],
  ["172.16.0.0/12", "a private address"],
  ["192.168.0.0/16", "a private address"],
  ["fc00::/7", "a private address"],
  ["169.254.0.0/16", "a link-local address"],
  ["fe80::/10", "a link-local address"],
  ["100.64.0.0/10", "a carrier-grade NAT address"],
  ["224.0.0.0/4", "a multicast address"],
  ["ff00::/8", "a multicast address"],
  ["240.0.0.0/4", "a reserved or broadcast address"],
];

const lists = REFUSED_RANGES.map(([cidr, reason]) => {
  const [network, prefix] = cidr.split("/") as [string, string];
  const list = new BlockList();
  const family = isIP(network) === 6 ? "ipv6" : "ipv4";
  list.addSubnet(network, Number(prefix), family);
  return { list, family, reason } as const;
});

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const parts = dotted[1].split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
}

/**
 * An IPv4-mapped (`::ffff:127.0.0.1`, `::ffff:7f00:1`) or IPv4-compatible (`::10.0.0.1`) IPv6
 * address as the IPv4 address it reaches; anything else unchanged.
 */
export function unmapIpv4(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  if (!groups || groups.slice(0, 5).some((g) => g !== 0)) return address;
  const mapped = groups[5] === 0xffff;
  const compatible = groups[5] === 0 && (groups[6] !== 0 || (groups[7] ?? 0) > 1);
  if (!mapped && !compatible) return address;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * Why `address` (an IP literal) may not be connected to by default, or `undefined` when it may.
 * Non-IP strings are refused: only resolved addresses are checked here.
 *
 * @example
 * refusedAddressReason("10.1.2.3"); // "a private address"
 * refusedAddressReason("::ffff:169.254.169.254"); // "a cloud metadata address"
 */
export function refusedAddressReason(address: string): string | undefined {
  const plain = unmapIpv4(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  const version = isIP(plain);
  if (version === 0) return "not an IP address";
  if (plain === "255.255.255.255") return "a reserved or broadcast address";
  const family = version === 6 ? "ipv6" : "ipv4";
  for (const entry of lists) {
    if (entry.family === family && entry.list.check(plain, family)) return entry.reason;
  }
  return undefined;
}
