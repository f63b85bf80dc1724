/**
 * The worker thread of {@link WorkerDocumentParser}: parses `workerData` with parseDocument and
 * posts one {@link DocumentParserReply}.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { IngestError } from "./ingest-error.ts";
import { parseDocument } from "./parse-document.ts";
import type { DocumentParserJob, DocumentParserReply } from "./worker-document-parser.ts";

const job = workerData as DocumentParserJob;
let reply: DocumentParserReply;
try {
  reply = { ok: true, parsed: await parseDocument(job.bytes, job.options) };
} catch (error) {
  reply = {
    ok: false,
    error:
      error instanceof IngestError
        ? { code: error.code, message: error.message, ...(error.limit !== undefined && { limit: error.limit }) }
        : { message: error instanceof Error ? error.message : String(error) },
  };
}
parentPort?.postMessage(reply);
