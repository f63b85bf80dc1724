import { type Kysely, type Migration, sql } from "kysely";

/**
 * Lean, complete run recording: each large input/output value is stored once per run in
 * `run_values`, whole, keyed by the sha256 of its JSON (the knowledge node's documents, the llm
 * node's context and the end node's sources are one row). Node executions and runs keep their
 * small values inline and name the others in `value_refs` (`{ section: { port: hash } }`).
 * Values go with their run (retention, bot deletion) through the cascade.
 */
export const runValuesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE run_values (
        run_id text NOT NULL REFERENCES workflow_execution_runs (id) ON DELETE CASCADE,
        hash text NOT NULL,
        value jsonb NOT NULL,
        bytes integer NOT NULL,
        PRIMARY KEY (run_id, hash)
      )`.execute(db);
    await sql`ALTER TABLE workflow_node_executions ADD COLUMN value_refs jsonb`.execute(db);
    await sql`ALTER TABLE workflow_execution_runs ADD COLUMN value_refs jsonb`.execute(db);
  },
};
