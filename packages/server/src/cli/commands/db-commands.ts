import { migrateToLatest } from "@portflow/storage";
import type { Command } from "commander";
import { embeddingDimensionsOf } from "../../embedding-dimensions-of.ts";
import { openConfiguredDatabase } from "../../open-configured-storage.ts";
import type { CliSession } from "../cli-session.ts";
import { isDiskDataDir, lockDataDir } from "../data-dir-lock.ts";

/** `portflow db migrate`. */
export function registerDbCommands(program: Command, session: CliSession): void {
  const db = program.command("db").description("database maintenance");
  db.command("migrate")
    .description("bring the database schema up to date (other commands also do this on start)")
    .action(async () => {
      const config = session.config;
      const embeddingDimensions = embeddingDimensionsOf(config);
      const lock =
        config.databaseUrl === undefined && isDiskDataDir(config.dataDir) ? lockDataDir(config.dataDir) : undefined;
      let database: Awaited<ReturnType<typeof openConfiguredDatabase>>;
      try {
        database = await openConfiguredDatabase(config, { embeddingDimensions, migrate: false });
      } catch (error) {
        lock?.release();
        throw error;
      }
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
