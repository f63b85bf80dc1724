import type { BotIndexStatus, PgVectorStore } from "@portflow/storage";
import type { Command } from "commander";
import { toVectorIndexResponse } from "../../routes/vector-index-schema.ts";
import type { CliSession } from "../cli-session.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

/**
 * `portflow index status|build|drop`: a bot's own HNSW index, which the server builds by itself
 * once a bot reaches `PORTFLOW_HNSW_MIN_CHUNKS` (on PostgreSQL); these look at it, build and
 * measure it now, or drop it.
 */
export function registerIndexCommands(program: Command, session: CliSession): void {
  const index = program.command("index").description("a bot's HNSW vector index: status, build and measure, drop");

  index
    .command("status")
    .description("how the bot's vector searches run (exact or through its index) and what measuring the index found")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--json", "print the status as GET /api/v1/bots/{bot_id}/vector-index answers it")
    .action(async (options: { bot: string; json?: boolean }) => {
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      await report(session, storage.vectors, bot.id, options.json === true);
    });

  index
    .command("build")
    .description("build the bot's index now if it has none (concurrently on PostgreSQL), then measure its recall")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--json", "print the status afterwards as JSON")
    .action(async (options: { bot: string; json?: boolean }) => {
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      session.err(`building and measuring the index of bot ${bot.id}…`);
      await storage.vectors.createBotHnswIndex(bot.id);
      await report(session, storage.vectors, bot.id, options.json === true);
    });

  index
    .command("drop")
    .description("drop the bot's index and its measurement: its searches are exact again")
    .requiredOption("--bot <bot-id>", "the bot")
    .action(async (options: { bot: string }) => {
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      await storage.vectors.dropBotHnswIndex(bot.id);
      session.out(`dropped the index of bot ${bot.id}: its searches are exact`);
    });
}

/** The bot's index status, as JSON (the API's shape) or as text. */
async function report(session: CliSession, vectors: PgVectorStore, botId: string, json: boolean): Promise<void> {
  const status = await vectors.indexStatus(botId);
  if (json) session.json(toVectorIndexResponse(botId, status));
  else printStatus(session, botId, status, vectors.hnswPolicy.minRecall);
}

function printStatus(session: CliSession, botId: string, status: BotIndexStatus, minRecall: number): void {
  const how =
    status.searches.through === "index"
      ? `searches go through the index at ef_search ${status.searches.efSearch}`
      : "searches are exact";
  session.out(`bot ${botId}: ${status.chunks} chunks, index ${status.index}; ${how}`);
  const c = status.calibration;
  if (c === undefined) {
    if (status.index === "valid") session.out("the index has not been measured yet (it is, on its next search)");
    return;
  }
  const verdict =
    c.search === "index"
      ? `recall@5 ${c.recall.toFixed(2)} at ef_search ${c.efSearch} (wanted ${minRecall})`
      : `no ef_search up to ${c.efSearch} reached recall@5 ${minRecall} (best ${Math.max(...c.rungs.map((r) => r.recall)).toFixed(2)}): kept exact`;
  session.out(
    `measured ${c.measuredAt.toISOString()} on ${c.queries} queries near its chunks (${c.chunks} chunks then): ${verdict}; exact p50 ${c.exactP50Ms.toFixed(1)} ms`,
  );
  session.out(
    formatTable(
      [
        { header: "ef_search", align: "right" },
        { header: "recall@5", align: "right" },
        { header: "p50 ms", align: "right" },
      ],
      c.rungs.map((r) => [r.efSearch, r.recall.toFixed(2), r.p50Ms.toFixed(2)]),
    ),
  );
}
