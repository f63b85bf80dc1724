import { Worker } from "node:worker_threads";
import type { DocumentParserOptions, IngestFile } from "./ingest-document.ts";
import { IngestError, type IngestErrorCode, type IngestLimit } from "./ingest-error.ts";
import type { ParseDocumentOptions } from "./parse-document.ts";
import type { ParsedDocument } from "./parsed-document.ts";

/** Options of {@link WorkerDocumentParser}, with their defaults. */
export interface WorkerDocumentParserOptions {
  /** Old-generation heap of each parse's worker thread, in MiB (`resourceLimits.maxOldGenerationSizeMb`). Default 512. */
  readonly memoryMb?: number;
  /** How long one parse may take. Default 60,000 ms. */
  readonly timeoutMs?: number;
  /** Parses at once (each in its own worker); more wait their turn. Default 1. */
  readonly concurrency?: number;
  /**
   * What a parse may add to the process's RSS beyond `memoryMb`, in MiB: its young generation,
   * code, decompressed DOCX parts and the typed arrays PDF.js decodes into, none of which the heap
   * cap counts. Past `memoryMb + memoryHeadroomMb` above the RSS at its start, the worker is
   * terminated. Default 256.
   */
  readonly memoryHeadroomMb?: number;
}

/** What the worker is given (`workerData`). */
export interface DocumentParserJob {
  /** The tsx loader to register first; absent when running from the build (plain JavaScript). */
  readonly tsx?: string;
  readonly entry: string;
  readonly bytes: Uint8Array;
  readonly options: Omit<ParseDocumentOptions, "signal">;
}

/** What the worker answers. */
export type DocumentParserReply =
  | { readonly ok: true; readonly parsed: ParsedDocument }
  | {
      readonly ok: false;
      readonly error: { readonly code?: IngestErrorCode; readonly message: string; readonly limit?: IngestLimit };
    };

const DEFAULTS = { memoryMb: 512, timeoutMs: 60_000, concurrency: 1, memoryHeadroomMb: 256 } as const;
const MiB = 1024 * 1024;
const RSS_CHECK_MS = 50;

// From the TypeScript sources (vitest, tsx) the worker registers tsx in itself (Node 20 applies
// neither `--import` in a worker's execArgv nor the parent's hooks); from the build it is plain JavaScript.
const BOOTSTRAP = `const { workerData } = require("node:worker_threads");
(workerData.tsx ? import(workerData.tsx).then((tsx) => tsx.register()) : Promise.resolve()).then(() => import(workerData.entry));`;
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const ENTRY = new URL(FROM_SOURCE ? "./document-parser-worker.ts" : "./document-parser-worker.js", import.meta.url)
  .href;
const TSX = FROM_SOURCE ? import.meta.resolve("tsx/esm/api") : undefined;

/**
 * Parses documents with {@link parseDocument} in worker threads, one fresh worker per parse, so
 * that a document that needs too much memory or time costs a 422, not the process: each worker's
 * heap is capped (`memoryMb`), so is what the parse adds to the process's RSS
 * (`memoryMb + memoryHeadroomMb`), each parse is timed out (`timeoutMs`), at most `concurrency`
 * run at once, and an aborted parse terminates its worker. Parsing therefore adds at most about
 * `concurrency × (memoryMb + memoryHeadroomMb)` to the process's RSS.
 *
 * @example
 * const parser = new WorkerDocumentParser({ memoryMb: 512 });
 * await ingestDocument({ ...options, parser: (file, o) => parser.parse(file, o) });
 */
export class WorkerDocumentParser {
  readonly #memoryMb: number;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #headroomMb: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: WorkerDocumentParserOptions = {}) {
    this.#memoryMb = options.memoryMb ?? DEFAULTS.memoryMb;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    this.#headroomMb = options.memoryHeadroomMb ?? DEFAULTS.memoryHeadroomMb;
  }

  /** Parses one file in a worker; rejects with an IngestError (`PARSE_LIMIT_EXCEEDED` past the caps) or the signal's reason. */
  async parse(file: IngestFile, options: DocumentParserOptions): Promise<ParsedDocument> {
    const { signal, ...limits } = options;
    await this.#acquire(signal);
    try {
      signal?.throwIfAborted();
      return await this.#run(
        {
          ...(TSX !== undefined && { tsx: TSX }),
          entry: ENTRY,
          bytes: file.bytes,
          options: { ...limits, filename: file.filename, ...(file.mime !== undefined && { mime: file.mime }) },
        },
        signal,
      );
    } finally {
      this.#release();
    }
  }

  #run(job: DocumentParserJob, signal: AbortSignal | undefined): Promise<ParsedDocument> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: job,
        resourceLimits: { maxOldGenerationSizeMb: this.#memoryMb },
      });
      let settled = false;
      // Settles only once the thread is gone, so its memory is free before the next parse starts.
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watchdog);
        signal?.removeEventListener("abort", onAbort);
        void worker
          .terminate()
          .catch(() => undefined)
          .then(outcome);
      };
      const onAbort = () => settle(() => reject(signal?.reason));
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new IngestError("PARSE_LIMIT_EXCEEDED", `parsing took longer than the limit of ${this.#timeoutMs} ms`, {
                limit: { name: "timeoutMs", value: this.#timeoutMs, unit: "ms" },
              }),
            ),
          ),
        this.#timeoutMs,
      );
      const outOfMemory = (cause?: unknown) =>
        new IngestError("PARSE_LIMIT_EXCEEDED", `parsing needed more memory than the limit of ${this.#memoryMb} MiB`, {
          ...(cause !== undefined && { cause }),
          limit: { name: "memoryMb", value: this.#memoryMb, unit: "MiB" },
        });
      // The heap cap does not count typed arrays (a PDF's decoded streams): RSS is watched too.
      const ceiling = process.memoryUsage.rss() + (this.#memoryMb + this.#headroomMb) * MiB;
      const watchdog = setInterval(() => {
        if (process.memoryUsage.rss() > ceiling) settle(() => reject(outOfMemory()));
      }, RSS_CHECK_MS);
      signal?.addEventListener("abort", onAbort, { once: true });
      worker.once("message", (reply: DocumentParserReply) =>
        settle(() => (reply.ok ? resolve(reply.parsed) : reject(toError(reply.error)))),
      );
      worker.once("error", (error: Error & { code?: string }) =>
        settle(() => reject(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? outOfMemory(error) : error)),
      );
      worker.once("exit", (code) =>
        settle(() => reject(new Error(`the document parser's worker exited with code ${code} before answering`))),
      );
    });
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#running < this.#concurrency) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(turn), 1);
        reject(signal?.reason);
      };
      this.#waiting.push(turn);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter.
    if (next) next();
    else this.#running--;
  }
}

function toError(error: Extract<DocumentParserReply, { ok: false }>["error"]): Error {
  if (error.code === undefined) return new Error(error.message);
  return new IngestError(error.code, error.message, error.limit !== undefined ? { limit: error.limit } : undefined);
}
