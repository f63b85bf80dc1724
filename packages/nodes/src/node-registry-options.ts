/**
 * Limits and policies of the built-in nodes, passed to `createNodeRegistry` (the server reads them
 * from its configuration once, at the edge). Every section and field is optional; the defaults
 * are documented on each.
 */
export interface NodeRegistryOptions {
  /** `http-request`. */
  readonly http?: HttpNodeOptions;
}

/** Limits of the `http-request` node. */
export interface HttpNodeOptions {
  /**
   * Destinations opened despite the SSRF rule: host names or IPs (any port), `host:port`, or
   * CIDRs of resolved addresses (`PORTFLOW_HTTP_ALLOW`). Default: none.
   */
  readonly allow?: readonly string[];
  /** Largest response body read, bytes; a node's `max_response_bytes` may only lower it. Default 10 MiB. */
  readonly maxResponseBytes?: number;
}

/** The default response size cap of `http-request`: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
