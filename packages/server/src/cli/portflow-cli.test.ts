import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, runCliOrThrow } from "../testing/run-cli-in-process.ts";
import { makeSeedDataDir, type SeedDataDir } from "../testing/seed-data-dir.ts";
import { RAG_WORKFLOW_V1, RAG_WORKFLOW_V2 } from "../testing/workflows.ts";
import { type PortflowProcessResult, runPortflowProcess } from "./run-portflow-process.ts";

// Each test runs the real `portflow` binary on a data directory of its own: a fresh one, or a copy of
// the seed built once (in process, which is fast) before the tests. No test sees another's changes.
let dirs: SeedDataDir;
/** In the seed: a bot with nothing yet. */
let emptyBot: string;
/** In the seed: a bot with refunds.md and shipping.txt ingested, rag.json published, and one run. */
let refundBot: string;
let refundRun: string;

const portflowIn = (dataDir: string, ...args: string[]) => runPortflowProcess(args, { dataDir });
const lines = (text: string) => text.split("\n").filter((line) => line !== "");

/** A one-line error, exit code 1 (runtime) unless a usage error (2) is expected. */
function expectOneLineError(result: PortflowProcessResult, message: RegExp, code = 1): void {
  expect(result.code).toBe(code);
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
  dirs = await makeSeedDataDir("portflow-cli-");
  await writeFile(dirs.file("refunds.md"), REFUNDS);
  await writeFile(dirs.file("refunds-copy.md"), REFUNDS);
  await writeFile(dirs.file("shipping.txt"), SHIPPING);
  await writeFile(dirs.file("empty.txt"), "");
  await writeFile(dirs.file("rag.json"), JSON.stringify(RAG_WORKFLOW_V2, null, 2));
  await writeFile(dirs.file("bad.json"), JSON.stringify(BAD_WORKFLOW, null, 2));
  await writeFile(dirs.file("broken.json"), '{ "nodes": [ ');
  await writeFile(dirs.file("v1.json"), JSON.stringify(RAG_WORKFLOW_V1));

  const seed = dirs.seed;
  const id = (json: string) => (JSON.parse(json) as { id: string }).id;
  emptyBot = id(await runCliOrThrow(seed, "bots", "create", "--name", "Empty bot", "--json"));
  refundBot = id(await runCliOrThrow(seed, "bots", "create", "--name", "Refund bot", "--json"));
  await runCliOrThrow(seed, "ingest", "--bot", refundBot, dirs.file("refunds.md"), dirs.file("shipping.txt"));
  await runCliOrThrow(seed, "workflow", "push", "--bot", refundBot, dirs.file("rag.json"));
  await runCliOrThrow(seed, "workflow", "publish", "--bot", refundBot);
  const run = await runCliOrThrow(seed, "run", "--bot", refundBot, "How long do refunds take?", "--json");
  refundRun = (JSON.parse(run) as { run_id: string }).run_id;
}, 120_000);

afterAll(async () => {
  await dirs?.remove();
});

describe("portflow CLI, end to end on the embedded database", () => {
  it("creates a bot", { timeout: 90_000 }, async () => {
    const dataDir = await dirs.copySeed();
    const result = await portflowIn(dataDir, "bots", "create", "--name", "Support bot", "--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const bot = JSON.parse(result.stdout) as { id: string; name: string; use_workflow_v2: boolean };
    expect(bot).toMatchObject({ name: "Support bot", use_workflow_v2: true });
    const stored = JSON.parse(await runCliOrThrow(dataDir, "bots", "show", bot.id, "--json")) as {
      bot: { name: string };
    };
    expect(stored.bot.name).toBe("Support bot");
  });

  it("creates an API key for the bot and prints it once", { timeout: 60_000 }, async () => {
    const result = await portflowIn(await dirs.copySeed(), "keys", "create", "--bot", emptyBot, "--name", "tests");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pf_[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toContain("not shown again");
  });

  it("creates a chat-scoped key, lists keys with their scopes, and revokes one", { timeout: 90_000 }, async () => {
    const dataDir = await dirs.copySeed();
    const botId = emptyBot;
    const portflow = (...args: string[]) => portflowIn(dataDir, ...args);
    await runCliOrThrow(dataDir, "keys", "create", "--bot", botId, "--name", "tests");
    const created = await portflow("keys", "create", "--bot", botId, "--scope", "chat", "--name", "widget", "--json");
    expect(created.code).toBe(0);
    const chatKey = JSON.parse(created.stdout) as { id: string; scope: string; bot_id: string; plaintext: string };
    expect(chatKey).toMatchObject({ scope: "chat", bot_id: botId });

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
    const inProcess = async (...args: string[]) => {
      const r = await runCliInProcess(dataDir, ...args);
      return { code: r.code, stdout: r.stdout.text, stderr: r.stderr.text };
    };
    expectOneLineError(
      await inProcess("keys", "create", "--scope", "chat"),
      /^portflow: a chat key needs --bot <bot-id>$/,
    );
    expectOneLineError(
      await inProcess("keys", "create", "--bot", botId, "--scope", "owner"),
      /^portflow: option '--scope <scope>' argument 'owner' is invalid\. expected one of admin, bot, chat$/,
      2,
    );
  });

  it("ingests files with a progress bar and a summary table; a failed file makes the exit code 1", {
    timeout: 60_000,
  }, async () => {
    const result = await portflowIn(
      await dirs.copySeed(),
      "ingest",
      "--bot",
      emptyBot,
      dirs.file("refunds.md"),
      dirs.file("shipping.txt"),
      dirs.file("refunds-copy.md"),
      dirs.file("empty.txt"),
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
    // validation needs no database: the failures (exit code, one line on stderr) run side by side in
    // the binary; the accepted files go through the same entry point in process
    const validate = (name: string) => portflowIn(dirs.fresh(), "workflow", "validate", dirs.file(name));
    const [bad, broken] = await Promise.all([validate("bad.json"), validate("broken.json")]);
    const good = await runCliInProcess(dirs.fresh(), "workflow", "validate", dirs.file("rag.json"));
    const v1 = await runCliInProcess(dirs.fresh(), "workflow", "validate", dirs.file("v1.json"));
    expect(bad.stdout).toContain(`${dirs.file("bad.json")}: nodes[1].type: unknown node type "knowledge-base"`);
    expect(bad.stdout).toContain("edges[1].target:");
    expect(bad.stdout).toContain("nodes[2].variable_mappings[0].selector:");
    expect(bad.stdout).toMatch(/nodes: a workflow needs at least one end or answer node/);
    expectOneLineError(bad, /^portflow: .*bad\.json: 4 problems in this V2 workflow$/);

    expect(good.code).toBe(0);
    expect(good.stdout.text).toBe(`${dirs.file("rag.json")}: valid V2 workflow (4 nodes, 3 edges)\n`);

    expect(v1.code).toBe(0);
    expect(v1.stdout.text).toBe(`${dirs.file("v1.json")}: valid V1 workflow (4 nodes, 3 edges)\n`);

    expectOneLineError(broken, /^portflow: .*broken\.json is not valid JSON/);
  });

  it("pushes a draft, publishes it and lists the versions", { timeout: 90_000 }, async () => {
    const dataDir = await dirs.copySeed();
    const push = await portflowIn(dataDir, "workflow", "push", "--bot", emptyBot, dirs.file("rag.json"));
    expect(push.code).toBe(0);
    expect(push.stdout).toContain(`as draft revision 1 of bot ${emptyBot} (V2, 4 nodes`);

    const publish = await portflowIn(dataDir, "workflow", "publish", "--bot", emptyBot);
    expect(publish.code).toBe(0);
    expect(publish.stdout).toMatch(new RegExp(`^published version 1 of bot ${emptyBot}`));

    const versions = await portflowIn(dataDir, "workflow", "versions", "--bot", emptyBot);
    expect(versions.code).toBe(0);
    const rows = lines(versions.stdout);
    expect(rows[0]).toMatch(/^version\s+status\s+nodes\s+checksum/);
    expect(rows[1]).toMatch(/^draft\s+rev 1\s+4\s/);
    expect(rows[2]).toMatch(/^#1\s+published \(current\)\s+4\s/);
  });

  it("runs the bot: prints the answer from the documents, then sources and a per-node timeline", {
    timeout: 60_000,
  }, async () => {
    const result = await portflowIn(await dirs.copySeed(), "run", "--bot", refundBot, "How long do refunds take?");
    expect(result.code).toBe(0);
    const header = /run ([0-9a-f-]{36})/.exec(result.stderr);
    expect(header?.[0]).toBeDefined();
    const runId = header?.[1] as string;
    expect(runId).not.toBe(refundRun);
    expect(result.stderr).toContain("V2 version 1");
    const [answer, rest] = result.stdout.split("\nSources:\n");
    expect(answer).toContain("5 business days");
    expect(rest).toMatch(/\[1\] refunds\.md/);
    expect(rest).toContain(`Timeline: run ${runId} succeeded`);
    expect(rest).toMatch(/^node\s+round\s+type\s+status\s+ms\s+tokens/m);
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
    // one process at a time on a PGlite data directory: each command gets its own copy
    const [list, show] = await Promise.all([
      dirs
        .copySeed()
        .then((dataDir) => portflowIn(dataDir, "runs", "list", "--bot", refundBot, "--status", "succeeded")),
      dirs.copySeed().then((dataDir) => portflowIn(dataDir, "runs", "show", refundRun)),
    ]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${refundRun}\\s+succeeded\\s+cli\\s+#1\\s+4\\s`, "m"));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^question\s+How long do refunds take\?$/m);
    expect(show.stdout).toMatch(/^answer\s+.*5 business days/m);
    expect(show.stdout).toMatch(/^\s+2\s+retrieve\s+knowledge\s+succeeded\s+1\s/m);
  });

  it("reports errors as one line, with the stack only under --verbose", { timeout: 60_000 }, async () => {
    const unreachable = { DATABASE_URL: "postgres://portflow@127.0.0.1:1/none" };
    // a data directory whose lock is fresh (held) is refused before PGlite opens it
    await mkdir(join(dirs.dir, "held", "portflow.lock"), { recursive: true });
    const [missing, plain, verbose, held] = await Promise.all([
      dirs.copySeed().then((dataDir) => portflowIn(dataDir, "bots", "show", "no-such-bot")),
      runPortflowProcess(["bots", "list"], { dataDir: join(dirs.dir, "unused"), env: unreachable }),
      runPortflowProcess(["bots", "list", "--verbose"], { dataDir: join(dirs.dir, "unused"), env: unreachable }),
      runPortflowProcess(["bots", "list"], { dataDir: join(dirs.dir, "held") }),
    ]);
    expectOneLineError(held, /^portflow: the embedded database in .* is in use by another portflow process/);
    expectOneLineError(missing, /^portflow: bot no-such-bot does not exist/);
    expectOneLineError(plain, /^portflow: .*ECONNREFUSED/);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });
});
