/**
 * The test's own connection to the database that server and worker processes share: it creates
 * the schema before any process starts, an admin key the processes accept, and bots.
 * @module
 */
import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";

export interface TestStorage {
  readonly storage: Storage;
  /** Authorization header of an admin key stored in the shared database. */
  readonly admin: { readonly authorization: string };
  /** Creates a bot with `graph` as its draft, published with `publish`; returns its id. */
  botWith(graph: unknown, options: { readonly publish: boolean }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens `databaseUrl` (migrating it) with the real node registry's validation.
 *
 * @example
 * const db = await openTestStorage(postgres.url);
 * const botId = await db.botWith(graph, { publish: true });
 */
export async function openTestStorage(databaseUrl: string): Promise<TestStorage> {
  const registry = createNodeRegistry();
  const storage = createStorage(await openDatabase({ databaseUrl }), {
    validate: (json) => validateWorkflow(json, registry),
  });
  const key = await storage.apiKeys.create({ name: "process test" });
  return {
    storage,
    admin: { authorization: `Bearer ${key.plaintext}` },
    async botWith(graph, { publish }) {
      const bot = await storage.bots.create({ name: "process test" });
      await storage.workflowVersions.saveDraft(bot.id, graph);
      if (publish) await storage.workflowVersions.publish(bot.id);
      return bot.id;
    },
    close: () => storage.close(),
  };
}
