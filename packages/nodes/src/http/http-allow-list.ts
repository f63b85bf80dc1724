import { BlockList, isIP } from "node:net";
import { unmapIpv4 } from "./refused-address.ts";

/**
 * Destinations opened despite the SSRF rule (`PORTFLOW_HTTP_ALLOW`): each entry is a host name or
 * IP (any port), `host:port` / `[v6]:port` (that port only) or a CIDR (resolved addresses in it).
 *
 * @example
 * const allow = HttpAllowList.parse("127.0.0.1:8080,internal.example,10.0.0.0/8");
 * allow.allowsHost("internal.example", 443); // true
 */
export class HttpAllowList {
  readonly #hosts = new Set<string>();
  readonly #hostPorts = new Set<string>();
  readonly #cidrs = new BlockList();
  #hasCidrs = false;

  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
      if (cidr?.[1] && cidr[2]) {
        const version = isIP(cidr[1]);
        this.#cidrs.addSubnet(cidr[1], Number(cidr[2]), version === 6 ? "ipv6" : "ipv4");
        this.#hasCidrs = true;
        continue;
      }
      const hostPort = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
      if (hostPort?.[1] && hostPort[2] && isIP(entry) !== 6) {
        this.#hostPorts.add(`${normalizeHost(hostPort[1])}:${Number(hostPort[2])}`);
      } else this.#hosts.add(normalizeHost(entry));
    }
  }

  /** Parses a comma list; throws a TypeError naming the first bad entry. */
  static parse(list: string | readonly string[] | undefined): HttpAllowList {
    const raw = typeof list === "string" ? list.split(",") : (list ?? []);
    const entries = raw.map((e) => e.trim()).filter((e) => e !== "");
    for (const entry of entries) {
      const problem = allowEntryProblem(entry);
      if (problem) throw new TypeError(`allow-list entry ${JSON.stringify(entry)}: ${problem}`);
    }
    return new HttpAllowList(entries);
  }

  /** The URL host itself (name or literal) is named, with this port or any. */
  allowsHost(host: string, port: number): boolean {
    const name = normalizeHost(host);
    return this.#hosts.has(name) || this.#hostPorts.has(`${name}:${port}`);
  }

  /** A resolved address lies in a listed CIDR (or is a listed IP, with this port or any). */
  allowsAddress(address: string, port: number): boolean {
    const plain = unmapIpv4(address);
    if (this.allowsHost(plain, port)) return true;
    if (!this.#hasCidrs) return false;
    const version = isIP(plain);
    return version !== 0 && this.#cidrs.check(plain, version === 6 ? "ipv6" : "ipv4");
  }
}

function normalizeHost(host: string): string {
  return unmapIpv4(
    host
      .replace(/^\[|\]$/g, "")
      .toLowerCase()
      .replace(/\.$/, ""),
  );
}

/** Why an allow-list entry is malformed, or `undefined`. */
export function allowEntryProblem(entry: string): string | undefined {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr?.[1] && cidr[2]) {
    const version = isIP(cidr[1]);
    if (version === 0) return "a CIDR needs an IP address before the /";
    if (Number(cidr[2]) > (version === 4 ? 32 : 128)) return "the prefix length is too long";
    return undefined;
  }
  if (isIP(entry) !== 0) return undefined;
  const hostPort = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
  const host = hostPort?.[1] ?? entry;
  if (hostPort?.[2] && (Number(hostPort[2]) < 1 || Number(hostPort[2]) > 65_535)) return "the port is out of range";
  if (isIP(host) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) return undefined;
  return "must be a host, host:port, IP or CIDR";
}
