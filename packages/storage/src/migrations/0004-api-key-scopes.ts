import { type Kysely, type Migration, sql } from "kysely";

/**
 * API keys get a scope (`admin`, `bot`, `chat`) and a source (`created` by the CLI or API, or
 * `env` for the key adopted from `PORTFLOW_ADMIN_KEY`, so a new one can replace it). Existing
 * keys keep what they could do: no bot → `admin`, a bot → `bot`. Keys named `PORTFLOW_ADMIN_KEY`
 * were adopted from the environment (the server gave them that name) and are marked `env`.
 */
export const apiKeyScopesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE api_keys ADD COLUMN scope text`.execute(db);
    await sql`UPDATE api_keys SET scope = CASE WHEN bot_id IS NULL THEN 'admin' ELSE 'bot' END`.execute(db);
    await sql`ALTER TABLE api_keys ALTER COLUMN scope SET NOT NULL`.execute(db);
    await sql`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check
        CHECK (scope IN ('admin', 'bot', 'chat') AND (scope = 'admin') = (bot_id IS NULL))`.execute(db);
    await sql`
      ALTER TABLE api_keys ADD COLUMN source text NOT NULL DEFAULT 'created'
        CHECK (source IN ('created', 'env'))`.execute(db);
    await sql`UPDATE api_keys SET source = 'env' WHERE name = 'PORTFLOW_ADMIN_KEY' AND bot_id IS NULL`.execute(db);
  },
};
