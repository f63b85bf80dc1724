import { type Kysely, type Migration, sql } from "kysely";

/**
 * What measuring each bot's HNSW index found (`hnsw-calibration.ts`): whether its searches go
 * through the index and at which `ef_search`, with the recall and latencies behind that choice.
 * Every process reads the bot's row with its index state, so one measurement serves them all; a
 * row goes with its bot, and is deleted when the store drops the bot's index.
 */
export const hnswCalibrationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE hnsw_calibrations (
        bot_id text PRIMARY KEY REFERENCES bots (id) ON DELETE CASCADE,
        search text NOT NULL CHECK (search IN ('index', 'exact')),
        ef_search integer NOT NULL CHECK (ef_search > 0),
        recall double precision NOT NULL CHECK (recall BETWEEN 0 AND 1),
        exact_p50_ms double precision NOT NULL,
        rungs jsonb NOT NULL,
        queries integer NOT NULL,
        chunks integer NOT NULL,
        measured_at timestamptz NOT NULL DEFAULT now()
      )`.execute(db);
  },
};
