import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAG_WORKFLOW_V1 } from "../testing/workflows.ts";
import { runPortflowProcess } from "./run-portflow-process.ts";

// Skipped with a notice when PostgreSQL or pgvector is missing locally; required under CI=true.
const postgres: PostgresServer | undefined = await startPostgresServer();
let dir: string;
let databaseUrl: string;

const portflow = (...args: string[]) =>
  runPortflowProcess(args, { dataDir: join(dir, "unused"), env: { DATABASE_URL: databaseUrl } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-cli-pg-"));
  if (postgres !== undefined) databaseUrl = await postgres.createDatabase("cli");
  await writeFile(join(dir, "v1.json"), JSON.stringify(RAG_WORKFLOW_V1));
  await writeFile(join(dir, "refunds.md"), "# Refunds\n\nRefunds are paid back within 5 business days.\n");
});

afterAll(async () => {
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(postgres === undefined)("portflow CLI against DATABASE_URL", () => {
  it("creates a V1 bot, ingests, answers through the adapter and migrates it to a V2 draft", {
    timeout: 90_000,
  }, async () => {
    const created = await portflow(
      "bots",
      "create",
      "--name",
      "pg bot",
      "--v1-workflow",
      join(dir, "v1.json"),
      "--json",
    );
    expect(created.code).toBe(0);
    const botId = (JSON.parse(created.stdout) as { id: string }).id;

    const ingest = await portflow("ingest", "--bot", botId, join(dir, "refunds.md"));
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/refunds\.md\s+new\s+1\s/);

    const run = await portflow("run", "--bot", botId, "How long do refunds take?");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("V1 workflow (through the adapter)");
    expect(run.stdout).toContain("5 business days");

    const migrate = await portflow("migrate-v1");
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(new RegExp(`^${botId}\\s+pg bot\\s+migrated\\s+4\\s`, "m"));
    expect(await portflow("bots", "show", botId, "--json").then((r) => JSON.parse(r.stdout))).toMatchObject({
      bot: { use_workflow_v2: false, legacy_workflow: RAG_WORKFLOW_V1 },
      draft: { revision: 1, schema_version: 2 },
      published: null,
    });
  });
});
