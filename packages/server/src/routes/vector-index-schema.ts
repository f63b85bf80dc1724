import type { BotIndexStatus } from "@portflow/storage";
import { z } from "zod";

const rungSchema = z.object({
  ef_search: z.number(),
  recall: z.number().describe("recall@5 against exact search at this ef_search"),
  p50_ms: z.number(),
});

/** A bot's HNSW index as the API and the CLI's `--json` show it (`GET /api/v1/bots/{bot_id}/vector-index`). */
export const vectorIndexSchema = z
  .object({
    bot_id: z.string(),
    chunks: z.number(),
    index: z
      .enum(["none", "building", "failed", "valid"])
      .describe("the bot's own HNSW index: failed builds are retried on the next upload"),
    searches: z.enum(["exact", "index"]).describe("how the bot's vector searches run now"),
    ef_search: z.number().nullable().describe("hnsw.ef_search of searches through the index; null when exact"),
    calibration: z
      .object({
        search: z.enum(["index", "exact"]).describe("what measuring chose: exact when no ef_search reached the recall"),
        ef_search: z.number(),
        recall: z.number(),
        exact_p50_ms: z.number(),
        rungs: z.array(rungSchema).describe("every ef_search tried, lowest first"),
        queries: z.number(),
        chunks: z.number().describe("the bot's chunks when measured (measured again once it has doubled)"),
        measured_at: z.string(),
      })
      .nullable()
      .describe("what measuring the index found; null before it has been measured"),
  })
  .meta({ id: "VectorIndex" });

/** A bot's index status in the API's (snake_case) shape; the CLI's `--json` prints the same. */
export function toVectorIndexResponse(botId: string, status: BotIndexStatus): z.output<typeof vectorIndexSchema> {
  const c = status.calibration;
  return {
    bot_id: botId,
    chunks: status.chunks,
    index: status.index,
    searches: status.searches.through,
    ef_search: status.searches.through === "index" ? status.searches.efSearch : null,
    calibration:
      c === undefined
        ? null
        : {
            search: c.search,
            ef_search: c.efSearch,
            recall: c.recall,
            exact_p50_ms: c.exactP50Ms,
            rungs: c.rungs.map((r) => ({ ef_search: r.efSearch, recall: r.recall, p50_ms: r.p50Ms })),
            queries: c.queries,
            chunks: c.chunks,
            measured_at: c.measuredAt.toISOString(),
          },
  };
}
