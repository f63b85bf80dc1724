import type { TrustProxySetting } from "./config.ts";

/** A function proxy-addr calls per hop (0 = the socket's peer): trust it or not. */
export type TrustProxyFunction = (address: string, hop: number) => boolean;

/**
 * Fastify's `trustProxy` option for a `PORTFLOW_TRUST_PROXY` setting. Fastify 5.12 ignores a bare
 * hop count (it fails closed), so a count becomes the function proxy-addr's hop semantics
 * describe: trust the nearest `n` hops, whoever they are.
 *
 * @example
 * Fastify({ trustProxy: fastifyTrustProxy(config.trustProxy) });
 */
export function fastifyTrustProxy(setting: TrustProxySetting = false): boolean | string[] | TrustProxyFunction {
  if (typeof setting === "boolean") return setting;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  return [...setting];
}
