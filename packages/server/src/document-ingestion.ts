import type { Embedder } from "@portflow/engine";
import { ingestDocument } from "@portflow/nodes/ingest";
import type { Storage } from "@portflow/storage";
import type { DocumentIngestion } from "./app-context.ts";

/** Ingestion through `@portflow/nodes/ingest` into the storage's documents and vector store. */
export function createDocumentIngestion(storage: Storage, embedder: Embedder, maxBytes: number): DocumentIngestion {
  return {
    ingest: (upload) =>
      ingestDocument({
        botId: upload.botId,
        file: { filename: upload.filename, bytes: upload.bytes, mime: upload.mimeType },
        embedder,
        store: storage.vectors,
        documents: storage.documents,
        limits: { maxBytes },
        ...(upload.signal !== undefined && { signal: upload.signal }),
      }),
  };
}
