/**
 * The OpenAPI document is usable by generators: `openapi-typescript` turns it into types, a small
 * `openapi-fetch` client written against them typechecks (and a typo in a body does not), and the
 * same client, run as its own process, talks to a real listening server.
 */
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, RAG_WORKFLOW_V2, type TestApp } from "./testing/index.ts";

const run = promisify(execFile);
const SERVER_DIR = join(import.meta.dirname, "..");
/** Inside the package, so the client resolves openapi-fetch and tsx from its node_modules. */
const WORK_DIR = join(SERVER_DIR, ".tmp", `openapi-client-${process.pid}`);
const TSC = join(SERVER_DIR, "..", "..", "node_modules", "typescript", "bin", "tsc");

const CLIENT = `import createClient from "openapi-fetch";
import type { paths } from "./api.ts";

const client = createClient<paths>({
  baseUrl: process.env.BASE_URL,
  headers: { authorization: process.env.AUTHORIZATION },
});
const created = await client.POST("/api/v1/bots", { body: { name: "typed client bot", use_workflow_v2: true } });
if (created.data === undefined) throw new Error(JSON.stringify(created.error));
const bot_id = created.data.id;
const path = { bot_id };
const draft = await client.PUT("/api/v1/bots/{bot_id}/workflow-versions/draft", {
  params: { path },
  body: { graph: ${JSON.stringify(RAG_WORKFLOW_V2)} },
});
const first = await client.POST("/api/v1/bots/{bot_id}/workflow-versions/draft/publish", { params: { path }, body: {} });
const again = await client.POST("/api/v1/bots/{bot_id}/workflow-versions/draft/publish", { params: { path }, body: {} });
const chat = await client.POST("/api/v1/chat", { body: { bot_id, message: "what is portflow?" } });
const runs = await client.GET("/api/v1/bots/{bot_id}/workflow-executions", { params: { path, query: { limit: 5 } } });
const documents = await client.GET("/api/v1/bots/{bot_id}/documents", { params: { path } });
const types = await client.GET("/api/v1/node-types");
const missing = await client.GET("/api/v1/bots/{bot_id}", { params: { path: { bot_id: "no-such-bot" } } });
console.log(
  JSON.stringify({
    draftValid: draft.data?.valid,
    published: [first.response.status, first.data?.version_number, again.response.status, again.data?.version_number],
    // JSON or Server-Sent Events, by Accept: this call asked for JSON
    answer: typeof chat.data === "object" ? chat.data.response : undefined,
    runs: runs.data?.items.map((r) => r.trigger),
    documents: documents.data?.next_cursor,
    nodeTypes: types.data?.items.map((t) => t.type),
    missing: [missing.response.status, missing.error?.error.code, missing.error?.error.details],
  }),
);
`;

/** A misspelled body key (so the required `message` is missing): the generated types must refuse it. */
const TYPO = `import createClient from "openapi-fetch";
import type { paths } from "./api.ts";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:1" });
await client.POST("/api/v1/chat", { body: { bot_id: "b", mesage: "hi" } });
`;

async function typecheck(file: string): Promise<{ ok: boolean; output: string }> {
  const args = [TSC, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022"];
  args.push("--module", "nodenext", "--moduleResolution", "nodenext", "--allowImportingTsExtensions", file);
  try {
    await run(process.execPath, args, { cwd: WORK_DIR });
    return { ok: true, output: "" };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout) };
  }
}

describe("a typed client generated from /openapi.json", () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.app.listen({ host: "127.0.0.1", port: 0 });
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenAPI3;
    mkdirSync(WORK_DIR, { recursive: true });
    writeFileSync(join(WORK_DIR, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(WORK_DIR, "api.ts"), astToString(await openapiTS(doc)));
    writeFileSync(join(WORK_DIR, "client.ts"), CLIENT);
    writeFileSync(join(WORK_DIR, "typo.ts"), TYPO);
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    rmSync(WORK_DIR, { recursive: true, force: true });
  });

  it("typechecks a client of several routes, and refuses a misspelled body key at compile time", async () => {
    const client = await typecheck("client.ts");
    expect(client.output).toBe("");
    expect(client.ok).toBe(true);
    const typo = await typecheck("typo.ts");
    expect(typo.ok).toBe(false);
    expect(typo.output).toContain("mesage");
  }, 300_000);

  it("talks to a real server: creates, saves, publishes (twice: unchanged), chats, lists and gets a 404", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "client.ts"], {
      cwd: WORK_DIR,
      env: { ...process.env, BASE_URL: baseUrl, AUTHORIZATION: t.admin.authorization },
    });
    const result = JSON.parse(stdout);
    expect(result.draftValid).toBe(true);
    expect(result.published).toEqual([201, 1, 200, 1]);
    expect(result.answer).toContain("what is portflow?");
    expect(result.runs).toEqual(["chat"]);
    expect(result.documents).toBeNull();
    expect(result.nodeTypes).toEqual(expect.arrayContaining(["start", "knowledge", "llm", "end"]));
    expect(result.missing).toEqual([404, "not_found", { resource: "bot" }]);
  }, 300_000);
});
