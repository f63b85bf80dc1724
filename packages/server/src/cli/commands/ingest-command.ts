import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ingestDocument } from "@portflow/nodes/ingest";
import type { Command } from "commander";
import { uploadMimeType } from "../../upload-type.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { IngestProgressBar } from "../ingest-progress.ts";
import { withInterrupt } from "../interrupt-signal.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

/** What became of one file. */
interface IngestedFile {
  readonly file: string;
  readonly status: "new" | "duplicate" | "failed";
  readonly documentId: string | null;
  readonly chunks: number | null;
  readonly pages: number | null;
  readonly ms: number;
  readonly message: string;
}

/** `portflow ingest --bot ID <files…>`. */
export function registerIngestCommand(program: Command, session: CliSession): void {
  program
    .command("ingest")
    .description("parse, chunk, embed and store documents (PDF, DOCX, Markdown, text) for a bot")
    .requiredOption("--bot <bot-id>", "the bot the documents belong to")
    .argument("<files...>", "the files to ingest")
    .option("--json", "print the summary as JSON")
    .action(async (files: string[], options: { bot: string; json?: boolean }) => {
      const { storage, providers, config } = await session.context();
      const bot = await requireBot(storage, options.bot);
      const bar = new IngestProgressBar(session.io.stderr);
      const results: IngestedFile[] = [];
      await withInterrupt(async (signal) => {
        for (const path of files) {
          const filename = basename(path);
          const started = performance.now();
          const elapsed = () => Math.round(performance.now() - started);
          bar.start(filename);
          try {
            const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
              throw new Error(error.code === "ENOENT" ? `${path}: no such file` : `${path}: ${error.message}`);
            });
            const mime = uploadMimeType(filename, undefined);
            const result = await ingestDocument({
              botId: bot.id,
              file: { filename, bytes, ...(mime !== undefined && { mime }) },
              embedder: providers.embedder,
              store: storage.vectors,
              documents: storage.documents,
              limits: {
                maxBytes: config.maxUploadBytes,
                maxUncompressedBytes: config.parsing.maxUncompressedBytes,
                maxDocxXmlBytes: config.parsing.maxDocxXmlBytes,
              },
              onProgress: (progress) => bar.update(progress),
              signal,
            });
            bar.stop(
              result.duplicate
                ? "duplicate: already ingested"
                : `done: ${result.chunkCount} chunk${result.chunkCount === 1 ? "" : "s"}`,
            );
            results.push({
              file: path,
              status: result.duplicate ? "duplicate" : "new",
              documentId: result.document.id,
              chunks: result.chunkCount,
              pages: result.pageCount ?? null,
              ms: elapsed(),
              message: result.message,
            });
          } catch (error) {
            bar.stop(signal.aborted ? "failed: interrupted" : "failed");
            const message = signal.aborted
              ? "interrupted (Ctrl-C)"
              : error instanceof Error
                ? error.message
                : String(error);
            results.push({
              file: path,
              status: "failed",
              documentId: null,
              chunks: null,
              pages: null,
              ms: elapsed(),
              message,
            });
          }
        }
      });
      if (options.json === true) {
        session.json(results);
      } else {
        session.out(
          formatTable(
            [
              { header: "file" },
              { header: "status" },
              { header: "chunks", align: "right" },
              { header: "pages", align: "right" },
              { header: "ms", align: "right" },
              { header: "document / error" },
            ],
            results.map((r) => [
              r.file,
              r.status,
              r.chunks,
              r.pages,
              r.ms,
              r.status === "failed" ? r.message : r.documentId,
            ]),
          ),
        );
      }
      const failed = results.filter((r) => r.status === "failed").length;
      if (failed > 0) throw new CliError(`${failed} of ${results.length} files failed to ingest`);
    });
}
