import type { Command } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { parseCount } from "../parse-count.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

/** `portflow documents list|delete`: a bot's ingested documents (`portflow ingest` adds them). */
export function registerDocumentsCommands(program: Command, session: CliSession): void {
  const documents = program.command("documents").description("a bot's ingested documents");

  documents
    .command("list")
    .description("list a bot's documents, newest first")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--limit <n>", "at most this many (default 50, at most 500)", parseCount)
    .option("--cursor <cursor>", "the next_cursor a previous page printed")
    .option("--json", "print {items, total, next_cursor} as JSON")
    .action(async (options: { bot: string; limit?: number; cursor?: string; json?: boolean }) => {
      const storage = await session.storage();
      const bot = await requireBot(storage, options.bot);
      const page = await storage.documents.list(bot.id, {
        limit: options.limit ?? 50,
        ...(options.cursor !== undefined && { cursor: options.cursor }),
      });
      if (options.json === true) return session.json(page);
      if (page.items.length === 0) {
        return session.out(`bot ${bot.id} has no documents yet: \`portflow ingest --bot ${bot.id} <files...>\``);
      }
      session.out(
        formatTable(
          [
            { header: "id" },
            { header: "filename" },
            { header: "status" },
            { header: "chunks", align: "right" },
            { header: "bytes", align: "right" },
            { header: "created" },
          ],
          page.items.map((d) => [d.id, d.filename, d.status, d.chunkCount, d.bytes, d.createdAt]),
        ),
      );
      if (page.nextCursor !== null) {
        session.out(`(${page.items.length} of ${page.total}; next page: --cursor ${page.nextCursor})`);
      }
    });

  documents
    .command("delete")
    .description("delete a document and its chunks (answers stop citing it at once)")
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<document-id>")
    .option("--json", "print {id, deleted} as JSON")
    .action(async (documentId: string, options: { bot: string; json?: boolean }) => {
      const storage = await session.storage();
      const bot = await requireBot(storage, options.bot);
      if (!(await storage.documents.delete(bot.id, documentId))) {
        throw new CliError(`bot ${bot.id} has no document ${documentId}`);
      }
      if (options.json === true) return session.json({ id: documentId, deleted: true });
      session.out(`deleted document ${documentId} of bot ${bot.id} and its chunks`);
    });
}
