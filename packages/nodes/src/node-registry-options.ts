/**
 * Limits and policies of the built-in nodes, passed to `createNodeRegistry` (the server reads them
 * from its configuration once, at the edge). Every section and field is optional; the defaults
 * are documented on each.
 */
import type { DocumentParser, IngestLimits } from "./ingest/ingest-document.ts";
import type { IngestLimitName } from "./ingest/ingest-error.ts";
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
  /** `document-extractor`. */
  readonly documents?: DocumentNodeOptions;
  /**
   * The chat providers configured (`Providers.catalog.providers`): a `model.provider` of `llm`,
   * `question-classifier` or `parameter-extractor` outside them fails validation. Default: any
   * known provider passes validation, and an unconfigured one fails the node when it runs.
   */
  readonly chatProviders?: readonly ModelProvider[];
}

/**
 * Limits of the `document-extractor` node: the upload rules, so a file a workflow reads is held to
 * what an upload would be.
 */
export interface DocumentNodeOptions {
  /**
   * Parses one file. Default: this process's shared `WorkerDocumentParser` (a memory-capped worker
   * thread per parse, 512 MiB heap, 60 s); a server passes the one its uploads use.
   */
  readonly parser?: DocumentParser;
  /** Bytes per file, PDF pages, DOCX decompression. Default: ingestion's (20 MiB, 500 pages, …). */
  readonly limits?: Omit<IngestLimits, "maxChunks">;
  /** Files per node call. Default 10. */
  readonly maxFiles?: number;
  /** The setting behind each limit, named in errors (`{ maxBytes: "PORTFLOW_MAX_UPLOAD_BYTES" }`). */
  readonly limitSettings?: Readonly<Partial<Record<IngestLimitName, string>>>;
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
