/**
 * Limits and policies of the built-in nodes, passed to `createNodeRegistry` (the server reads them
 * from its configuration once, at the edge). Every section and field is optional; the defaults
 * are documented on each.
 */
import type { ModelProvider } from "./model-provider.ts";
import type { SandboxLimitOptions } from "./sandbox/sandbox-limits.ts";
import type { Sandboxes } from "./sandbox/sandboxes.ts";

export interface NodeRegistryOptions {
  /** `http-request`. */
  readonly http?: HttpNodeOptions;
  /**
   * Limits of the `code` and `template-transform` nodes: defaults 5,000 ms and 64 MiB per call,
   * maxima 30,000 ms and 256 MiB (a node's `limits` above a maximum fails validation).
   */
  readonly sandbox?: SandboxLimitOptions;
  /** Where those nodes run; default: this process's shared sandboxes (one Pyodide per process). */
  readonly sandboxes?: Sandboxes;
  /**
   * The chat providers configured (`Providers.catalog.providers`): a `model.provider` of `llm`,
   * `question-classifier` or `parameter-extractor` outside them fails validation. Default: any
   * known provider passes validation, and an unconfigured one fails the node when it runs.
   */
  readonly chatProviders?: readonly ModelProvider[];
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
