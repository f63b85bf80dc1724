import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.ts";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const fixtures = fileURLToPath(new URL("../../../../dify/test/fixtures/", import.meta.url));
let dir: string;

async function cli(...argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { PORTFLOW_DATA_DIR: join(dir, "data"), LLM_PROVIDER: "local" }, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-import-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("portflow import dify", () => {
  it("prints the report as a table and writes the workflow with --out", async () => {
    const out = join(dir, "support.json");
    const result = await cli("import", "dify", join(fixtures, "support-chatflow.yml"), "--out", out);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^dify\s+status\s+portflow\s+notes$/);
    expect(result.stdout).toMatch(/answer "Answer"\s+mapped\s+answer/);
    expect(result.stdout).toMatch(/sticky note\s+dropped/);
    expect(result.stdout).toContain(`wrote ${out} (6 nodes)`);
    const workflow = JSON.parse(await readFile(out, "utf8"));
    expect(workflow).toMatchObject({ schema_version: 2, name: "Help centre assistant" });
  });

  it("says which node types are missing and which secrets to set", async () => {
    const result = await cli("import", "dify", join(fixtures, "intake-chatflow.yml"));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/code "Parse order"\s+mapped\s+code/);
    expect(result.stdout).toMatch(/document-extractor "Read ticket"\s+mapped \(needs node type document-extractor\)/);
    expect(result.stderr).toContain("note: set these bot secrets before running it: ORDER_API_KEY");
    expect(result.stdout).toContain("nothing saved");
  });

  it("maps models through --model-map, and refuses a map entry without a name, naming it", async () => {
    const map = join(dir, "models.json");
    await writeFile(
      map,
      JSON.stringify({ "gpt-4o-mini": { provider: "bedrock", name: "anthropic.claude-haiku-4-5" } }),
    );
    const out = join(dir, "mapped.json");
    const result = await cli(
      "import",
      "dify",
      join(fixtures, "support-chatflow.yml"),
      "--model-map",
      map,
      "--out",
      out,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("model: langgenius/openai/openai/gpt-4o-mini → bedrock anthropic.claude-haiku-4-5");
    const workflow = JSON.parse(await readFile(out, "utf8")) as {
      nodes: { type: string; config: { model?: string } }[];
    };
    expect(workflow.nodes.find((n) => n.type === "llm")?.config.model).toBe("anthropic.claude-haiku-4-5");

    await writeFile(map, JSON.stringify({ "gpt-4o-mini": { provider: "bedrock" } }));
    const bad = await cli("import", "dify", join(fixtures, "support-chatflow.yml"), "--model-map", map);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${map} is not a model map`);
    expect(bad.stderr).toContain("gpt-4o-mini.name:");
  });

  it("refuses a file with tools and agents, listing each, and exits 1", async () => {
    const result = await cli(
      "import",
      "dify",
      join(fixtures, "tools-and-agents-workflow.yml"),
      "--out",
      join(dir, "no.json"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.match(/^problem: .*\[unsupported_node\]$/gm)).toHaveLength(3);
    expect(result.stderr).toMatch(/^portflow: .*tools-and-agents-workflow\.yml: not imported \(3 problems\)$/m);
    await expect(readFile(join(dir, "no.json"))).rejects.toThrow();
  });

  it("saves the workflow as a bot's draft with --bot, never publishing it", { timeout: 90_000 }, async () => {
    const created = await cli("bots", "create", "--name", "Imported", "--json");
    const botId = (JSON.parse(created.stdout) as { id: string }).id;
    const result = await cli("import", "dify", join(fixtures, "research-workflow.yml"), "--bot", botId);
    // only the model lines: every Dify model runs on the server's configured provider
    expect(result.stderr.trim().split("\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^model: .+ → the server's configured provider$/)]),
    );
    expect(
      result.stderr
        .trim()
        .split("\n")
        .every((l) => l.startsWith("model: ")),
    ).toBe(true);
    expect(result.stdout).toContain(`saved as draft revision 1 of bot ${botId} (not published)`);
    const versions = await cli("workflow", "versions", "--bot", botId, "--json");
    const listed = JSON.parse(versions.stdout) as {
      draft: { revision: number; valid: boolean; nodes: number };
      versions: unknown[];
    };
    expect(listed.draft).toMatchObject({ revision: 1, valid: true, nodes: 11 });
    expect(listed.versions).toEqual([]);
  });
});
