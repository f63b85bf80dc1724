import { type Kysely, type Migration, sql } from "kysely";

/**
 * Runs are submitted before they execute: a `queued` status, the serialisable run spec a worker
 * executes, the run a resume continues (`resumed_from`), and when it was queued. Node executions
 * keep the branch they took and how a failure was handled, so a resume can follow them again.
 */
export const runSpecsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE workflow_execution_runs DROP CONSTRAINT IF EXISTS workflow_execution_runs_status_check`.execute(
      db,
    );
    await sql`
      ALTER TABLE workflow_execution_runs ADD CONSTRAINT workflow_execution_runs_status_check
        CHECK (status IN ('queued', 'running', 'succeeded', 'partial-succeeded', 'failed', 'cancelled', 'interrupted'))`.execute(
      db,
    );
    await sql`ALTER TABLE workflow_execution_runs ADD COLUMN spec jsonb`.execute(db);
    await sql`ALTER TABLE workflow_execution_runs ADD COLUMN resumed_from text`.execute(db);
    await sql`ALTER TABLE workflow_execution_runs ADD COLUMN queued_at timestamptz`.execute(db);
    await sql`ALTER TABLE workflow_node_executions ADD COLUMN branch text`.execute(db);
    await sql`ALTER TABLE workflow_node_executions ADD COLUMN handled_by text`.execute(db);
  },
};
