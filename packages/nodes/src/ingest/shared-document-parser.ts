import type { DocumentParser } from "./ingest-document.ts";
import { WorkerDocumentParser } from "./worker-document-parser.ts";

let shared: WorkerDocumentParser | undefined;

/**
 * This process's default parser when none is given: one {@link WorkerDocumentParser} with its
 * defaults (a 512 MiB worker per parse, 60 s, one at a time), created on first use.
 */
export function sharedDocumentParser(): DocumentParser {
  shared ??= new WorkerDocumentParser();
  const parser = shared;
  return (file, options) => parser.parse(file, options);
}
