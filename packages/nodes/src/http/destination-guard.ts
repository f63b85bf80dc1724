import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import type { HttpAllowList } from "./http-allow-list.ts";
import { refusedAddressReason } from "./refused-address.ts";

/** `http-request` refused a destination: a scheme other than http/https, or a refused address. */
export class DestinationRefusedError extends Error {
  override readonly name = "DestinationRefusedError";
  readonly code = "DESTINATION_REFUSED";
}

/**
 * The SSRF rule of `http-request`: only http and https, and never a loopback, private,
 * link-local, CGNAT, metadata, unspecified, multicast or broadcast address (IPv4-mapped IPv6
 * included) unless the allow-list names it. Addresses are checked after DNS resolution, in the
 * socket's own lookup, so the address checked is the address connected to (no DNS rebinding).
 */
export class DestinationGuard {
  constructor(private readonly allow: HttpAllowList) {}

  /** Refuses a URL whose scheme is not http(s) or whose host is a refused IP literal. */
  checkUrl(url: URL): void {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new DestinationRefusedError(`only http and https URLs are allowed, not ${url.protocol.replace(/:$/, "")}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0) this.#checkAddress(host, host, portOf(url));
  }

  /** A `lookup` for `net.connect` that resolves `host` and refuses forbidden addresses for `port`. */
  lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, "", 0);
        try {
          for (const entry of addresses) this.#checkAddress(hostname, entry.address, port);
        } catch (refused) {
          return callback(refused as NodeJS.ErrnoException, "", 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0];
        if (!first) return callback(new DestinationRefusedError(`${hostname} resolved to no address`), "", 0);
        callback(null, first.address, first.family);
      });
    };
  }

  #checkAddress(host: string, address: string, port: number): void {
    if (this.allow.allowsHost(host, port) || this.allow.allowsAddress(address, port)) return;
    const reason = refusedAddressReason(address);
    if (reason === undefined) return;
    const target = host === address ? address : `${host} (${address})`;
    throw new DestinationRefusedError(
      `refused to connect to ${target}: ${reason}; list it in PORTFLOW_HTTP_ALLOW to allow it`,
    );
  }
}

/** The URL's port, or its scheme's default. */
export function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}
