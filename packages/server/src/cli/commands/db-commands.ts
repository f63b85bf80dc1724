import { createProviders } from "@portflow/nodes";
import { migrateToLatest, openDatabase } from "@portflow/storage";
import type { Command } from "commander";
import { providerConfigOf } from "../../portflow-runtime.ts";
import type { CliSession } from "../cli-session.ts";
import { isDiskDataDir, lockDataDir } from "../data-dir-lock.ts";

/** `portflow db migrate`. */
export function registerDbCommands(program: Command, session: CliSession): void {
  const db = program.command("db").description("database maintenance");
  db.command("migrate")
    .description("bring the database schema up to date (other commands also do this on start)")
    .action(async () => {
      const config = session.config;
      const providers = createProviders(providerConfigOf(config));
      const embeddingDimensions = providers.embedder.dimensions;
      providers.close();
      const lock =
        config.databaseUrl === undefined && isDiskDataDir(config.dataDir) ? lockDataDir(config.dataDir) : undefined;
      const database = await openDatabase({
        ...(config.databaseUrl !== undefined && { databaseUrl: config.databaseUrl }),
        dataDir: config.dataDir,
        embeddingDimensions,
        migrate: false,
      });
      try {
        const result = await migrateToLatest(database.db as unknown as Parameters<typeof migrateToLatest>[0], {
          embeddingDimensions,
        });
        const where = config.databaseUrl !== undefined ? "DATABASE_URL" : config.dataDir;
        const applied = result.results ?? [];
        if (applied.length === 0) session.out(`database ${where} is up to date`);
        for (const migration of applied) {
          const status = { Success: "applied", Error: "failed", NotExecuted: "not applied" }[migration.status];
          session.out(`${status}: ${migration.migrationName}`);
        }
        if (applied.length > 0) session.out(`database ${where} is up to date`);
      } finally {
        await database.close();
        lock?.release();
      }
    });
}
