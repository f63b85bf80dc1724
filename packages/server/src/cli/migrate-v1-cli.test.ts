import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAG_WORKFLOW_V1 } from "../testing/workflows.ts";
import { runPortflowProcess } from "./run-portflow-process.ts";

// One data directory for the file; `portflow` processes run one at a time on it.
let dir: string;
let legacyBot: string;

const portflow = (...args: string[]) => runPortflowProcess(args, { dataDir: join(dir, "data") });
const file = (name: string) => join(dir, name);

interface BotDetails {
  bot: { id: string; useWorkflowV2: boolean; legacyWorkflow: unknown; publishedVersionId: string | null };
  draft: { revision: number; nodes: number; schemaVersion: number; valid: boolean } | null;
  published: unknown;
}

async function showBot(id: string): Promise<BotDetails> {
  const result = await portflow("bots", "show", id, "--json");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as BotDetails;
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
  dir = await mkdtemp(join(tmpdir(), "portflow-migrate-"));
  await writeFile(file("v1.json"), JSON.stringify(RAG_WORKFLOW_V1));
  await writeFile(file("v1-unknown.json"), JSON.stringify(UNKNOWN_TYPE_V1));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("portflow migrate-v1", () => {
  it("creates a bot holding a V1 workflow", { timeout: 90_000 }, async () => {
    const result = await portflow("bots", "create", "--name", "Legacy bot", "--v1-workflow", file("v1.json"), "--json");
    expect(result.code).toBe(0);
    const bot = JSON.parse(result.stdout) as { id: string; useWorkflowV2: boolean; legacyWorkflow: unknown };
    expect(bot.useWorkflowV2).toBe(false);
    expect(bot.legacyWorkflow).toEqual(RAG_WORKFLOW_V1);
    legacyBot = bot.id;
  });

  it("--dry-run shows what would change and writes nothing", { timeout: 60_000 }, async () => {
    const result = await portflow("migrate-v1", "--dry-run", "--bot", legacyBot);
    expect(result.code).toBe(0);
    expect(reportRow(result.stdout, legacyBot)).toMatch(/Legacy bot\s+would-migrate\s+4\s+-\s+would save a new draft/);
    expect(result.stdout).toContain("(dry run: nothing was written)");

    const details = await showBot(legacyBot);
    expect(details.draft).toBeNull();
    expect(details.bot.useWorkflowV2).toBe(false);
    expect(details.bot.legacyWorkflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("saves the upgraded graph as a draft: not published, use_workflow_v2 unchanged, V1 kept", {
    timeout: 60_000,
  }, async () => {
    const result = await portflow("migrate-v1", "--bot", legacyBot);
    expect(result.code).toBe(0);
    expect(reportRow(result.stdout, legacyBot)).toMatch(/\smigrated\s+4\s.*draft revision 1/);

    const details = await showBot(legacyBot);
    expect(details.draft).toMatchObject({ revision: 1, nodes: 4, schemaVersion: 2, valid: true });
    expect(details.published).toBeNull();
    expect(details.bot.publishedVersionId).toBeNull();
    expect(details.bot.useWorkflowV2).toBe(false);
    expect(details.bot.legacyWorkflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("re-runs idempotently, and fails (exit 1) for a bot with an unknown V1 node type", {
    timeout: 60_000,
  }, async () => {
    const created = await portflow("bots", "create", "--name", "Odd bot", "--v1-workflow", file("v1-unknown.json"));
    expect(created.code).toBe(0);
    expect(created.stderr).toContain("warning: ");
    const oddBot = /created bot (\S+)/.exec(created.stdout)?.[1] as string;

    const result = await portflow("migrate-v1");
    expect(reportRow(result.stdout, legacyBot)).toMatch(/\sunchanged\s+4\s.*draft revision 1 already holds/);
    expect(reportRow(result.stdout, oddBot)).toMatch(
      /Odd bot\s+failed\s+-\s+nodes\[1\]\.type: V1 node type "web-search"/,
    );
    expect(result.stdout).toContain("2 bots: 1 failed, 1 unchanged");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("portflow: 1 bot could not be migrated (see the problems column)");
  });
});
