import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, runCliOrThrow } from "../testing/run-cli-in-process.ts";
import { makeSeedDataDir, type SeedDataDir } from "../testing/seed-data-dir.ts";
import { RAG_WORKFLOW_V1 } from "../testing/workflows.ts";
import { runPortflowProcess } from "./run-portflow-process.ts";

// Each test runs the real `portflow migrate-v1` on its own copy of a seed data directory (built once,
// in process) holding one bot with a V1 workflow; setup and checks run in process, which is fast.
let dirs: SeedDataDir;
let legacyBot: string;

const portflowIn = (dataDir: string, ...args: string[]) => runPortflowProcess(args, { dataDir });

interface BotDetails {
  bot: { id: string; use_workflow_v2: boolean; legacy_workflow: unknown; published_version_id: string | null };
  draft: { revision: number; nodes: number; schema_version: number; valid: boolean } | null;
  published: unknown;
}

async function showBot(dataDir: string, id: string): Promise<BotDetails> {
  return JSON.parse(await runCliOrThrow(dataDir, "bots", "show", id, "--json")) as BotDetails;
}

/** The report's row for a bot: `bot  name  action  nodes  problems  detail`. */
function reportRow(stdout: string, botId: string): string {
  return stdout.split("\n").find((line) => line.startsWith(botId)) ?? "";
}

const UNKNOWN_TYPE_V1 = {
  ...RAG_WORKFLOW_V1,
  nodes: RAG_WORKFLOW_V1.nodes.map((n) => (n.id === "n2" ? { ...n, type: "web-search" } : n)),
};

beforeAll(async () => {
  dirs = await makeSeedDataDir("portflow-migrate-");
  await writeFile(dirs.file("v1.json"), JSON.stringify(RAG_WORKFLOW_V1));
  await writeFile(dirs.file("v1-unknown.json"), JSON.stringify(UNKNOWN_TYPE_V1));
  const seed = dirs.seed;
  const created = await runCliOrThrow(
    seed,
    "bots",
    "create",
    "--name",
    "Legacy bot",
    "--v1-workflow",
    dirs.file("v1.json"),
    "--json",
  );
  legacyBot = (JSON.parse(created) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await dirs?.remove();
});

describe("portflow migrate-v1", () => {
  it("creates a bot holding a V1 workflow", { timeout: 90_000 }, async () => {
    const dataDir = await dirs.copySeed();
    const result = await portflowIn(
      dataDir,
      "bots",
      "create",
      "--name",
      "Legacy bot",
      "--v1-workflow",
      dirs.file("v1.json"),
      "--json",
    );
    expect(result.code).toBe(0);
    const bot = JSON.parse(result.stdout) as { id: string; use_workflow_v2: boolean; legacy_workflow: unknown };
    expect(bot.use_workflow_v2).toBe(false);
    expect(bot.legacy_workflow).toEqual(RAG_WORKFLOW_V1);
    expect((await showBot(dataDir, bot.id)).bot.legacy_workflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("--dry-run shows what would change and writes nothing", { timeout: 60_000 }, async () => {
    const dataDir = await dirs.copySeed();
    const result = await portflowIn(dataDir, "migrate-v1", "--dry-run", "--bot", legacyBot);
    expect(result.code).toBe(0);
    expect(reportRow(result.stdout, legacyBot)).toMatch(/Legacy bot\s+would-migrate\s+4\s+-\s+would save a new draft/);
    expect(result.stdout).toContain("(dry run: nothing was written)");

    const details = await showBot(dataDir, legacyBot);
    expect(details.draft).toBeNull();
    expect(details.bot.use_workflow_v2).toBe(false);
    expect(details.bot.legacy_workflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("saves the upgraded graph as a draft: not published, use_workflow_v2 unchanged, V1 kept", {
    timeout: 60_000,
  }, async () => {
    const dataDir = await dirs.copySeed();
    const result = await portflowIn(dataDir, "migrate-v1", "--bot", legacyBot);
    expect(result.code).toBe(0);
    expect(reportRow(result.stdout, legacyBot)).toMatch(/\smigrated\s+4\s.*draft revision 1/);

    const details = await showBot(dataDir, legacyBot);
    expect(details.draft).toMatchObject({ revision: 1, nodes: 4, schema_version: 2, valid: true });
    expect(details.published).toBeNull();
    expect(details.bot.published_version_id).toBeNull();
    expect(details.bot.use_workflow_v2).toBe(false);
    expect(details.bot.legacy_workflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("re-runs idempotently, and fails (exit 1) for a bot with an unknown V1 node type", {
    timeout: 60_000,
  }, async () => {
    const dataDir = await dirs.copySeed();
    await runCliOrThrow(dataDir, "migrate-v1", "--bot", legacyBot); // a first run: the draft exists
    const created = await runCliInProcess(
      dataDir,
      "bots",
      "create",
      "--name",
      "Odd bot",
      "--v1-workflow",
      dirs.file("v1-unknown.json"),
    );
    // stored all the same (migrate-v1 reports it below), but the exit code says it cannot run
    expect(created.code).toBe(1);
    expect(created.stderr.text).toContain("problem: ");
    expect(created.stderr.text).toMatch(
      /^portflow: bot \S+ was created with its V1 workflow as it is, but the workflow has \d+ problems? and cannot run until fixed$/m,
    );
    const oddBot = /created bot (\S+)/.exec(created.stdout.text)?.[1] as string;

    const result = await portflowIn(dataDir, "migrate-v1");
    expect(reportRow(result.stdout, legacyBot)).toMatch(/\sunchanged\s+4\s.*draft revision 1 already holds/);
    expect(reportRow(result.stdout, oddBot)).toMatch(
      /Odd bot\s+failed\s+-\s+nodes\[1\]\.type: V1 node type "web-search"/,
    );
    expect(result.stdout).toContain("2 bots: 1 failed, 1 unchanged");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("portflow: 1 bot could not be migrated (see the problems column)");
  });
});
