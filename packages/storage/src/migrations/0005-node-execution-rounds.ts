import { type Kysely, type Migration, sql } from "kysely";

/**
 * Node executions inside a container's body (iteration, loop) name their container and round, so
 * a client can group a run's records by round.
 */
export const nodeExecutionRoundsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE workflow_node_executions ADD COLUMN parent_node_id text`.execute(db);
    await sql`ALTER TABLE workflow_node_executions ADD COLUMN iteration_index integer`.execute(db);
  },
};
