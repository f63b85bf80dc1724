import type { Embedder } from "@portflow/engine";
import {
  type DocumentParser,
  IngestError,
  type IngestLimitName,
  ingestDocument,
  WorkerDocumentParser,
} from "@portflow/nodes/ingest";
import type { Storage } from "@portflow/storage";
import type { DocumentIngestion } from "./app-context.ts";
import type { ServerConfig } from "./config.ts";

/** The environment variable behind each ingestion limit, named in the errors users see. */
export const INGEST_LIMIT_SETTINGS: Readonly<Partial<Record<IngestLimitName, string>>> = {
  maxBytes: "PORTFLOW_MAX_UPLOAD_BYTES",
  maxUncompressedBytes: "PORTFLOW_MAX_UNCOMPRESSED_BYTES",
  maxDocxXmlBytes: "PORTFLOW_MAX_DOCX_XML_BYTES",
  memoryMb: "PORTFLOW_PARSE_MEMORY_MB",
  timeoutMs: "PORTFLOW_PARSE_TIMEOUT_MS",
};

/** An IngestError over a configurable limit, with the setting named in its message and limit. */
function withSetting(error: unknown): unknown {
  if (!(error instanceof IngestError) || error.limit === undefined) return error;
  const setting = INGEST_LIMIT_SETTINGS[error.limit.name];
  if (setting === undefined) return error;
  return new IngestError(error.code, `${error.message} (${setting})`, {
    cause: error,
    limit: { ...error.limit, setting },
  });
}

/**
 * Ingestion through `@portflow/nodes/ingest` into the storage's documents and vector store.
 * Parsing runs in memory-capped worker threads (`config.parsing`), so a document that needs too
 * much memory or time answers 422 and the server stays up; DOCX archives are checked against the
 * decompression limits before they are parsed. `parser` is the one `document-extractor` uses too
 * (`PortflowRuntime.documentParser`), so both share its concurrency; default: a parser of its own.
 */
export function createDocumentIngestion(
  storage: Storage,
  embedder: Embedder,
  config: Pick<ServerConfig, "maxUploadBytes" | "parsing">,
  documentParser?: DocumentParser,
): DocumentIngestion {
  const { maxUncompressedBytes, maxDocxXmlBytes, memoryMb, timeoutMs, concurrency } = config.parsing;
  const parser = documentParser ?? workerParser(new WorkerDocumentParser({ memoryMb, timeoutMs, concurrency }));
  return {
    ingest: (upload) =>
      ingestDocument({
        botId: upload.botId,
        file: { filename: upload.filename, bytes: upload.bytes, mime: upload.mimeType },
        embedder,
        store: storage.vectors,
        documents: storage.documents,
        limits: { maxBytes: config.maxUploadBytes, maxUncompressedBytes, maxDocxXmlBytes },
        parser,
        ...(upload.signal !== undefined && { signal: upload.signal }),
      }).catch((error: unknown) => {
        throw withSetting(error);
      }),
  };
}

function workerParser(worker: WorkerDocumentParser): DocumentParser {
  return (file, options) => worker.parse(file, options);
}
