import { type Kysely, type Migration, sql } from "kysely";

/** Elapsed times to the microsecond: most nodes finish in well under a millisecond. */
export const fractionalElapsedMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE workflow_execution_runs ALTER COLUMN elapsed_ms TYPE double precision`.execute(db);
    await sql`ALTER TABLE workflow_node_executions ALTER COLUMN elapsed_ms TYPE double precision`.execute(db);
  },
};
