import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAG_WORKFLOW_V1, RAG_WORKFLOW_V2 } from "../testing/workflows.ts";
import { type PortflowProcessResult, runPortflowProcess } from "./run-portflow-process.ts";

// One data directory for the whole flow: every step is one `portflow` process (PGlite starts in each).
let dir: string;
let botId: string;
let runId: string;

const portflow = (...args: string[]) => runPortflowProcess(args, { dataDir: join(dir, "data") });
const file = (name: string) => join(dir, name);
const lines = (text: string) => text.split("\n").filter((line) => line !== "");

function expectOneLineError(result: PortflowProcessResult, message: RegExp): void {
  expect(result.code).toBe(1);
  const errors = lines(result.stderr).filter((line) => line.startsWith("portflow: "));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

const BAD_WORKFLOW = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    { id: "retrieve", type: "knowledge-base", config: {} },
    {
      id: "answer",
      type: "llm",
      config: { user_prompt: "{{query}}" },
      variable_mappings: [{ target_port: "query", selector: ["nowhere", "query"] }],
    },
  ],
  edges: [
    { source: "start", target: "retrieve" },
    { source: "retrieve", target: "ghost" },
  ],
};

const REFUNDS = `# Refunds

Customers can ask for a refund within 30 days of purchase. Refunds are paid back to the original card within 5 business days.

## Gift cards

Gift cards are never refunded.
`;
const SHIPPING = "Shipping\n\nOrders ship from Rotterdam. Standard shipping takes 3 to 4 days inside the EU.\n";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-cli-"));
  await writeFile(file("refunds.md"), REFUNDS);
  await writeFile(file("refunds-copy.md"), REFUNDS);
  await writeFile(file("shipping.txt"), SHIPPING);
  await writeFile(file("empty.txt"), "");
  await writeFile(file("rag.json"), JSON.stringify(RAG_WORKFLOW_V2, null, 2));
  await writeFile(file("bad.json"), JSON.stringify(BAD_WORKFLOW, null, 2));
  await writeFile(file("broken.json"), '{ "nodes": [ ');
  await writeFile(file("v1.json"), JSON.stringify(RAG_WORKFLOW_V1));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("portflow CLI, end to end on the embedded database", () => {
  it("creates a bot", { timeout: 90_000 }, async () => {
    const result = await portflow("bots", "create", "--name", "Refund bot", "--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const bot = JSON.parse(result.stdout) as { id: string; name: string; useWorkflowV2: boolean };
    expect(bot).toMatchObject({ name: "Refund bot", useWorkflowV2: true });
    botId = bot.id;
  });

  it("creates an API key for the bot and prints it once", { timeout: 60_000 }, async () => {
    const result = await portflow("keys", "create", "--bot", botId, "--name", "tests");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pf_[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toContain("not shown again");
  });

  it("creates a chat-scoped key, lists keys with their scopes, and revokes one", { timeout: 90_000 }, async () => {
    const created = await portflow("keys", "create", "--bot", botId, "--scope", "chat", "--name", "widget", "--json");
    expect(created.code).toBe(0);
    const chatKey = JSON.parse(created.stdout) as { id: string; scope: string; botId: string; plaintext: string };
    expect(chatKey).toMatchObject({ scope: "chat", botId });

    const list = await portflow("keys", "list");
    expect(list.code).toBe(0);
    const rows = lines(list.stdout);
    expect(rows[0]).toMatch(/^id\s+prefix\s+name\s+scope\s+bot\s+created\s+last used\s+revoked$/);
    const row = (id: string) => rows.find((r) => r.startsWith(id)) ?? "";
    expect(row(chatKey.id)).toMatch(
      new RegExp(`^${chatKey.id}\\s+${chatKey.plaintext.slice(0, 10)}…\\s+widget\\s+chat\\s+${botId}\\s+\\d{4}-`),
    );
    expect(row(chatKey.id)).toMatch(/\s-\s+-$/); // never used, not revoked
    expect(rows.find((r) => /\stests\s/.test(r))).toMatch(/\sbot\s/);
    expect(list.stdout).not.toContain(chatKey.plaintext);

    const revoked = await portflow("keys", "revoke", chatKey.id);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked key ${chatKey.id}\n` });
    const after = lines((await portflow("keys", "list", "--bot", botId)).stdout);
    expect(after.find((r) => r.startsWith(chatKey.id))).toMatch(/\s\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(after).toHaveLength(3); // header, the "tests" bot key, the revoked chat key

    expectOneLineError(await portflow("keys", "revoke", chatKey.id), /^portflow: no active key with id /);
    expectOneLineError(
      await portflow("keys", "create", "--scope", "chat"),
      /^portflow: a chat key needs --bot <bot-id>$/,
    );
    expectOneLineError(
      await portflow("keys", "create", "--bot", botId, "--scope", "owner"),
      /^portflow: option '--scope <scope>' argument 'owner' is invalid\. expected one of admin, bot, chat$/,
    );
  });

  it("ingests files with a progress bar and a summary table; a failed file makes the exit code 1", {
    timeout: 60_000,
  }, async () => {
    const result = await portflow(
      "ingest",
      "--bot",
      botId,
      file("refunds.md"),
      file("shipping.txt"),
      file("refunds-copy.md"),
      file("empty.txt"),
    );
    // progress (stderr): one bar per file, ending at 100% with the chunk count
    expect(result.stderr).toMatch(/refunds\.md \[[█░]+\] 100% \| done: \d+ chunks?/);
    expect(result.stderr).toMatch(/shipping\.txt \[[█░]+\] 100% \| done: 1 chunk/);
    expect(result.stderr).toContain("empty.txt");
    // summary (stdout)
    const rows = lines(result.stdout);
    expect(rows[0]).toMatch(/^file\s+status\s+chunks\s+pages\s+ms\s+document \/ error$/);
    expect(rows.find((r) => r.includes("refunds.md") && !r.includes("copy"))).toMatch(/\snew\s+\d+\s/);
    expect(rows.find((r) => r.includes("shipping.txt"))).toMatch(/\snew\s+1\s/);
    expect(rows.find((r) => r.includes("refunds-copy.md"))).toMatch(/\sduplicate\s/);
    expect(rows.find((r) => r.includes("empty.txt"))).toMatch(/\sfailed\s.*the file is empty/);
    expectOneLineError(result, /^portflow: 1 of 4 files failed to ingest$/);
  });

  it("validates workflow files: every problem with its JSON path, exit 1; V1 and V2 accepted", {
    timeout: 60_000,
  }, async () => {
    // validation needs no database: these may run side by side
    const [bad, good, v1, broken] = await Promise.all([
      portflow("workflow", "validate", file("bad.json")),
      portflow("workflow", "validate", file("rag.json")),
      portflow("workflow", "validate", file("v1.json")),
      portflow("workflow", "validate", file("broken.json")),
    ]);
    expect(bad.stdout).toContain(`${file("bad.json")}: nodes[1].type: unknown node type "knowledge-base"`);
    expect(bad.stdout).toContain("edges[1].target:");
    expect(bad.stdout).toContain("nodes[2].variable_mappings[0].selector:");
    expect(bad.stdout).toMatch(/nodes: a workflow needs at least one end node/);
    expectOneLineError(bad, /^portflow: .*bad\.json: 4 problems in this V2 workflow$/);

    expect(good.code).toBe(0);
    expect(good.stdout).toContain("valid V2 workflow (4 nodes, 3 edges)");

    expect(v1.code).toBe(0);
    expect(v1.stdout).toContain("valid V1 workflow (4 nodes, 3 edges)");

    expectOneLineError(broken, /^portflow: .*broken\.json is not valid JSON/);
  });

  it("pushes a draft, publishes it and lists the versions", { timeout: 90_000 }, async () => {
    const push = await portflow("workflow", "push", "--bot", botId, file("rag.json"));
    expect(push.code).toBe(0);
    expect(push.stdout).toContain(`as draft revision 1 of bot ${botId} (V2, 4 nodes`);

    const publish = await portflow("workflow", "publish", "--bot", botId);
    expect(publish.code).toBe(0);
    expect(publish.stdout).toMatch(new RegExp(`^published version 1 of bot ${botId}`));

    const versions = await portflow("workflow", "versions", "--bot", botId);
    expect(versions.code).toBe(0);
    const rows = lines(versions.stdout);
    expect(rows[0]).toMatch(/^version\s+status\s+nodes\s+checksum/);
    expect(rows[1]).toMatch(/^draft\s+rev 1\s+4\s/);
    expect(rows[2]).toMatch(/^#1\s+published \(current\)\s+4\s/);
  });

  it("runs the bot: streams the answer from the documents, then sources and a per-node timeline", {
    timeout: 60_000,
  }, async () => {
    const result = await portflow("run", "--bot", botId, "How long do refunds take?");
    expect(result.code).toBe(0);
    const header = /run ([0-9a-f-]{36})/.exec(result.stderr);
    expect(header?.[0]).toBeDefined();
    runId = header?.[1] as string;
    expect(result.stderr).toContain("V2 version 1");
    const [answer, rest] = result.stdout.split("\nSources:\n");
    expect(answer).toContain("5 business days");
    expect(rest).toMatch(/\[1\] refunds\.md/);
    expect(rest).toContain(`Timeline: run ${runId} succeeded`);
    expect(rest).toMatch(/^node\s+type\s+status\s+ms\s+tokens/m);
    for (const [node, type] of [
      ["start", "start"],
      ["retrieve", "knowledge"],
      ["answer", "llm"],
      ["end", "end"],
    ]) {
      expect(rest).toMatch(new RegExp(`^${node}\\s+${type}\\s+succeeded\\s+\\d+\\.\\d`, "m"));
    }
    expect(rest).toMatch(/^answer\s+llm\s+succeeded\s+[\d.]+\s+\d+\+\d+/m);
  });

  it("lists and shows recorded runs", { timeout: 60_000 }, async () => {
    // one process at a time on a PGlite data directory
    const list = await portflow("runs", "list", "--bot", botId, "--status", "succeeded");
    const show = await portflow("runs", "show", runId);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${runId}\\s+succeeded\\s+api\\s+#1\\s+4\\s`, "m"));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^question\s+How long do refunds take\?$/m);
    expect(show.stdout).toMatch(/^answer\s+.*5 business days/m);
    expect(show.stdout).toMatch(/^\s+2\s+retrieve\s+knowledge\s+succeeded\s+1\s/m);
  });

  it("reports errors as one line, with the stack only under --verbose", { timeout: 60_000 }, async () => {
    const unreachable = { DATABASE_URL: "postgres://portflow@127.0.0.1:1/none" };
    // a data directory held by a live process (this one) is refused before PGlite opens it
    await mkdir(join(dir, "held"));
    await writeFile(join(dir, "held", "portflow.lock"), String(process.pid));
    const [missing, plain, verbose, held] = await Promise.all([
      portflow("bots", "show", "no-such-bot"),
      runPortflowProcess(["bots", "list"], { dataDir: join(dir, "unused"), env: unreachable }),
      runPortflowProcess(["bots", "list", "--verbose"], { dataDir: join(dir, "unused"), env: unreachable }),
      runPortflowProcess(["bots", "list"], { dataDir: join(dir, "held") }),
    ]);
    expectOneLineError(
      held,
      new RegExp(`^portflow: the embedded database in .* is in use by another portflow process \\(pid ${process.pid}`),
    );
    expectOneLineError(missing, /^portflow: bot no-such-bot does not exist/);
    expectOneLineError(plain, /^portflow: .*ECONNREFUSED/);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });
});
