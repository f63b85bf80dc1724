import { type KyselyPlugin, type RootOperationNode, SelectQueryNode, TableNode } from "kysely";
import type { StorageDatabase } from "../open-database.ts";

/** A database that notes every statement it runs, for tests that count what a call reads. */
export interface StatementCounter {
  /** The database to hand to `createStorage`: the same one, its statements noted. */
  readonly database: StorageDatabase;
  /** Statements run since the last {@link StatementCounter.reset} that select from `table` (its first FROM). */
  selectsFrom(table: string): number;
  reset(): void;
}

/** The table a SELECT reads first; undefined for any other statement. */
function selectedTable(node: RootOperationNode): string | undefined {
  if (!SelectQueryNode.is(node)) return undefined;
  const from = node.from?.froms[0];
  return from !== undefined && TableNode.is(from) ? from.table.identifier.name : undefined;
}

/**
 * Wraps `database` so that the statements built through its Kysely instance are noted (raw
 * sessions from `withRawTransaction` are not).
 *
 * @example
 * const counter = countStatements(await openDatabase({ dataDir: "memory://" }));
 * const storage = createStorage(counter.database, { validate });
 * await storage.workflowVersions.get(botId, versionId);
 * counter.selectsFrom("bot_workflow_versions"); // 1
 */
export function countStatements(database: StorageDatabase): StatementCounter {
  let selected: (string | undefined)[] = [];
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      selected.push(selectedTable(node));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return {
    database: { ...database, db: database.db.withPlugin(plugin) },
    selectsFrom: (table) => selected.filter((t) => t === table).length,
    reset() {
      selected = [];
    },
  };
}
