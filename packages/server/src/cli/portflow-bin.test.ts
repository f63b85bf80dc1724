import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../testing/make-temp-dir.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";
import { PORTFLOW_BIN, runPortflowProcess } from "./run-portflow-process.ts";

// The built `portflow` bin, spawned with plain node: its startup, exit codes, JSON case, the
// commands beside the main path, `.env` and the data-directory lock.
let dir: string;
let dataDirs = 0;
const freshDataDir = () => join(dir, `data-${++dataDirs}`);
const file = (name: string) => join(dir, name);
const portflowIn = (dataDir: string, ...args: string[]) => runPortflowProcess(args, { dataDir });
const lines = (text: string) => text.split("\n").filter((line) => line !== "");

/** `bots create --json` in `dataDir`: the new bot's id. */
async function createBot(dataDir: string, name: string): Promise<string> {
  const created = await portflowIn(dataDir, "bots", "create", "--name", name, "--json");
  expect(created.stderr).toBe("");
  expect(created.code).toBe(0);
  return (JSON.parse(created.stdout) as { id: string }).id;
}

const INVALID_V2 = {
  schema_version: 2,
  nodes: [{ id: "start", type: "start", config: {} }],
  edges: [{ source: "start", target: "ghost" }],
};

beforeAll(async () => {
  dir = await makeTempDir("portflow-bin-");
  await writeFile(file("rag.json"), JSON.stringify(RAG_WORKFLOW_V2));
  await writeFile(file("invalid.json"), JSON.stringify(INVALID_V2));
  await writeFile(file("faq.md"), "# Refunds\n\nRefunds are paid back within 5 business days.\n");
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every module URL the process loads, recorded by a module hook in a file (`--import`). */
async function loadedModules(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ readonly stdout: string; readonly loaded: string[] }> {
  const log = file(`loaded-${++dataDirs}.txt`);
  const hooks = `import { appendFileSync } from "node:fs";
let log; export function initialize(data) { log = data.log; }
export async function load(url, context, next) { appendFileSync(log, url + "\\n"); return next(url, context); }`;
  const register = file(`register-${dataDirs}.mjs`);
  await writeFile(
    register,
    `import { register } from "node:module";
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: { log: ${JSON.stringify(log)} } });`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", register, PORTFLOW_BIN, ...args], {
    env: { ...process.env, LLM_PROVIDER: "local", DATABASE_URL: "", ...env },
  });
  return { stdout, loaded: lines(await readFile(log, "utf8")) };
}

describe("the portflow bin", { timeout: 180_000 }, () => {
  it("runs as plain JavaScript, and --version loads neither fastify, the database nor the node types", async () => {
    const { stdout, loaded } = await loadedModules(["--version"]);
    expect(stdout).toBe("0.1.0\n");
    expect(loaded.some((url) => url.includes("/server/dist/cli/main.js"))).toBe(true);
    expect(loaded.filter((url) => url.endsWith(".ts"))).toEqual([]);
    expect(
      loaded.filter((url) => /tsx|fastify|pglite|kysely|@portflow\/|\/(nodes|storage|engine)\/dist\//.test(url)),
    ).toEqual([]);
  });

  it("bots list opens the embedded database through openConfiguredStorage, without the node types, providers, parsers, queue or pg driver", async () => {
    const dataDir = freshDataDir();
    await createBot(dataDir, "quick");
    const { stdout, loaded } = await loadedModules(["bots", "list"], { PORTFLOW_DATA_DIR: dataDir });
    expect(stdout).toMatch(/^[0-9a-f-]{36}\s+quick\s+draft\s+none\s/m);
    expect(loaded.some((url) => url.includes("/@electric-sql/pglite/"))).toBe(true);
    expect(loaded.some((url) => url.includes("/storage/dist/open-database.js"))).toBe(true);
    expect(loaded.some((url) => url.includes("/server/dist/open-configured-storage.js"))).toBe(true);
    expect(
      loaded.filter((url) =>
        /\/nodes\/dist\/index\.js|portflow-runtime|@aws-sdk|@anthropic-ai|openai@|mammoth|unpdf|pyodide|quickjs|bullmq|ioredis|fastify|\/pg\/lib\/|pg-copy-streams/.test(
          url,
        ),
      ),
    ).toEqual([]);
  });

  it("exits 2 on a usage error and 1 on a runtime error", async () => {
    const dataDir = freshDataDir();
    const [unknownOption, unknownCommand, missingArgument, badLimit, missingBot] = await Promise.all([
      portflowIn(dataDir, "bots", "list", "--no-such-option"),
      portflowIn(dataDir, "no-such-command"),
      portflowIn(dataDir, "bots", "show"),
      portflowIn(dataDir, "documents", "list", "--bot", "x", "--limit", "many"),
      portflowIn(freshDataDir(), "bots", "show", "no-such-bot"),
    ]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--no-such-option'");
    expect(unknownCommand.code).toBe(2);
    expect(missingArgument.code).toBe(2);
    expect(badLimit.code).toBe(2);
    expect(missingBot.code).toBe(1);
    expect(missingBot.stderr).toMatch(/^portflow: bot no-such-bot does not exist/);
  });

  it("prints --json in snake_case, as the HTTP API does, with the real id in the next: hint", async () => {
    const dataDir = freshDataDir();
    const created = await portflowIn(dataDir, "bots", "create", "--name", "Case bot", "--json");
    expect(created.code).toBe(0);
    const bot = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(bot).toMatchObject({ name: "Case bot", use_workflow_v2: true, published_version_id: null });
    expect(typeof bot.created_at).toBe("string");
    expect(Object.keys(bot).filter((key) => /[A-Z]/.test(key))).toEqual([]);

    const text = await portflowIn(dataDir, "bots", "create", "--name", "Hint bot");
    const id = /^created bot (\S+) /.exec(text.stdout)?.[1] as string;
    expect(text.stdout).toContain(
      `next: \`portflow workflow push --bot ${id} <file>\`, then \`portflow workflow publish --bot ${id}\``,
    );
    expect(text.stdout).not.toContain("<id>");
  });

  it("saves an invalid draft but exits 1; runs from the CLI are recorded with trigger cli", async () => {
    const dataDir = freshDataDir();
    const botId = await createBot(dataDir, "b");
    const push = await portflowIn(dataDir, "workflow", "push", "--bot", botId, file("invalid.json"));
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/^problem: edges\[0\]\.target: /m);
    expect(push.stderr).toMatch(
      new RegExp(`^portflow: draft revision 1 of bot ${botId} is saved with \\d+ problems?`, "m"),
    );
    const shown = JSON.parse((await portflowIn(dataDir, "bots", "show", botId, "--json")).stdout) as {
      draft: { revision: number; valid: boolean };
    };
    expect(shown.draft).toMatchObject({ revision: 1, valid: false });

    expect((await portflowIn(dataDir, "workflow", "push", "--bot", botId, file("rag.json"))).code).toBe(0);
    expect((await portflowIn(dataDir, "workflow", "publish", "--bot", botId)).code).toBe(0);
    const run = JSON.parse((await portflowIn(dataDir, "run", "--bot", botId, "refunds?", "--json")).stdout) as {
      run_id: string;
      bot_id: string;
    };
    expect(run.bot_id).toBe(botId);
    const stored = JSON.parse((await portflowIn(dataDir, "runs", "show", run.run_id, "--json")).stdout) as {
      trigger: string;
    };
    expect(stored.trigger).toBe("cli");
  });

  it("lists and deletes documents, says 1 chunk, and deletes a bot", async () => {
    const dataDir = freshDataDir();
    const botId = await createBot(dataDir, "d");
    const ingest = await portflowIn(dataDir, "ingest", "--bot", botId, file("faq.md"), "--json");
    expect(ingest.code).toBe(0);
    const [ingested] = JSON.parse(ingest.stdout) as { document_id: string; chunks: number; message: string }[];
    expect(ingested?.chunks).toBe(1);
    expect(ingested?.message).toMatch(/: 1 chunk stored$/);

    const listed = await portflowIn(dataDir, "documents", "list", "--bot", botId);
    expect(listed.code).toBe(0);
    expect(lines(listed.stdout)[0]).toMatch(/^id\s+filename\s+status\s+chunks\s+bytes\s+created$/);
    expect(listed.stdout).toMatch(new RegExp(`^${ingested?.document_id}\\s+faq\\.md\\s+ready\\s+1\\s`, "m"));
    const json = JSON.parse((await portflowIn(dataDir, "documents", "list", "--bot", botId, "--json")).stdout) as {
      items: { id: string; chunk_count: number }[];
      total: number;
    };
    expect(json).toMatchObject({ total: 1, items: [{ id: ingested?.document_id, chunk_count: 1 }] });

    const deleted = await portflowIn(dataDir, "documents", "delete", "--bot", botId, ingested?.document_id as string);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted document ${ingested?.document_id}`);
    expect((await portflowIn(dataDir, "documents", "list", "--bot", botId)).stdout).toContain("has no documents yet");
    expect(
      (await portflowIn(dataDir, "documents", "delete", "--bot", botId, ingested?.document_id as string)).code,
    ).toBe(1);

    expect(await portflowIn(dataDir, "bots", "delete", botId)).toMatchObject({
      code: 0,
      stdout: `deleted bot ${botId}\n`,
    });
    expect((await portflowIn(dataDir, "bots", "show", botId)).code).toBe(1);
    expect((await portflowIn(dataDir, "bots", "delete", botId)).code).toBe(1);
  });

  it("lists every node type with its ports, and with its config JSON Schema as --json", async () => {
    const [text, json] = await Promise.all([
      portflowIn(freshDataDir(), "nodes", "list"),
      portflowIn(freshDataDir(), "nodes", "list", "--json"),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^knowledge\s+query: string\s+documents: documents, context: string\s/m);
    const types = JSON.parse(json.stdout) as {
      type: string;
      ports: { inputs: { name: string }[] };
      config_schema: { properties?: Record<string, unknown> };
    }[];
    const llm = types.find((t) => t.type === "llm");
    expect(llm?.ports.inputs.map((p) => p.name)).toContain("context");
    expect(Object.keys(llm?.config_schema.properties ?? {})).toEqual(
      expect.arrayContaining(["user_prompt", "temperature"]),
    );
    for (const type of ["start", "end", "knowledge", "if-else", "template", "http-request"]) {
      expect(types.map((t) => t.type)).toContain(type);
    }
  });

  it("reads a .env in the working directory, under the real environment", async () => {
    const cwd = file("with-dotenv");
    await mkdir(cwd);
    await writeFile(
      join(cwd, ".env"),
      "# settings for this directory\nPORTFLOW_DATA_DIR=./dotenv-data\nLLM_PROVIDER=nonsense\n",
    );
    const { PORTFLOW_DATA_DIR: _d, LLM_PROVIDER: _l, ...env } = process.env;
    const portflow = (extra: Record<string, string>) =>
      promisify(execFile)(process.execPath, [PORTFLOW_BIN, "bots", "create", "--name", "e"], {
        cwd,
        env: { ...env, DATABASE_URL: "", REDIS_URL: "", ...extra },
      }).then(
        () => 0,
        (error: { code: number; stderr: string }) => {
          expect(error.stderr).toMatch(/LLM_PROVIDER/);
          return error.code;
        },
      );
    // the .env's LLM_PROVIDER is read (and refused) ...
    expect(await portflow({})).toBe(1);
    // ... unless the environment sets it; its PORTFLOW_DATA_DIR applies (relative to the directory)
    expect(await portflow({ LLM_PROVIDER: "local" })).toBe(0);
    expect(existsSync(join(cwd, "dotenv-data"))).toBe(true);
  });

  it("refuses a data directory another process holds, and takes it once that process is gone", async () => {
    const dataDir = freshDataDir();
    const lockModule = new URL("../../dist/cli/data-dir-lock.js", import.meta.url).href;
    const holder: ChildProcess = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { lockDataDir } = await import(${JSON.stringify(lockModule)}); lockDataDir(${JSON.stringify(dataDir)}); console.log("locked"); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const gone = new Promise((resolve) => holder.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on("data", (data: Buffer) => data.toString().includes("locked") && resolve());
        holder.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      const refused = await portflowIn(dataDir, "bots", "list");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^portflow: the embedded database in .* is in use by another portflow process/);
      holder.kill("SIGTERM");
      await gone;
      expect(await portflowIn(dataDir, "bots", "list")).toMatchObject({ code: 0 });
    } finally {
      holder.kill("SIGKILL");
    }
  });
});
