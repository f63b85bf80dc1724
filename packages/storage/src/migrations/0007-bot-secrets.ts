import { type Kysely, type Migration, sql } from "kysely";

/** Bot secrets: AES-256-GCM ciphertext per bot and name (never the value), gone with the bot. */
export const botSecretsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE bot_secrets (
        bot_id text NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
        name text NOT NULL,
        ciphertext bytea NOT NULL,
        iv bytea NOT NULL,
        tag bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bot_id, name)
      )`.execute(db);
  },
};
