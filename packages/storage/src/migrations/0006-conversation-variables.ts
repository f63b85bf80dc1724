import { type Kysely, type Migration, sql } from "kysely";

/** Conversation variables: one row per bot, session and variable, gone with the bot. */
export const conversationVariablesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE conversation_variables (
        bot_id text NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
        session_id text NOT NULL,
        name text NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bot_id, session_id, name)
      )`.execute(db);
  },
};
