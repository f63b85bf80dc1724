/**
 * The fallback chain through the server's own configuration: a real server process started with
 * `LLM_FALLBACK=bedrock,anthropic,openai`, each provider a fake on 127.0.0.1 spoken to by its real SDK.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FakeAnthropic,
  type FakeBedrock,
  type FakeOpenAi,
  startFakeAnthropic,
  startFakeBedrock,
  startFakeOpenAi,
} from "@portflow/nodes/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSseEvents } from "./sse-stream.ts";
import { type ServerProcess, startServerProcess } from "./testing/server-process.ts";

const ADMIN_KEY = "pf_llm_fallback_admin_key_0001";
const auth = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
const ANSWERS = {
  bedrock: "Bedrock: refunds take five business days.",
  anthropic: "Anthropic: refunds take five business days.",
  openai: "OpenAI: refunds take five business days.",
};

let bedrock: FakeBedrock;
let anthropic: FakeAnthropic;
let openai: FakeOpenAi;
let server: ServerProcess;
let dataDir: string;
let botId: string;

const graph = (model?: unknown) => ({
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "answer",
      type: "llm",
      config: { user_prompt: "{{query}}", temperature: 0.2, ...(model !== undefined ? { model } : {}) },
      variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
    },
    { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["answer", "text"] }] },
  ],
  edges: [
    { source: "start", target: "answer" },
    { source: "answer", target: "end" },
  ],
});

/** The JSON bodies these tests read (bot, chat answer, run detail, draft). */
interface ApiBody {
  readonly id: string;
  readonly response: string;
  readonly run_id: string;
  readonly node_executions: { readonly node_id: string; readonly process_data: Record<string, unknown> }[];
  readonly problems: { readonly path: string; readonly message: string }[];
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: ApiBody }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: auth,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as ApiBody };
}

async function answerNode(runId: string): Promise<{ process_data: Record<string, unknown> }> {
  const detail = await api("GET", `/bots/${botId}/workflow-executions/${runId}`);
  const node = detail.json.node_executions.find((n) => n.node_id === "answer");
  if (node === undefined) throw new Error(`run ${runId} has no answer node`);
  return node;
}

beforeAll(async () => {
  [bedrock, anthropic, openai] = await Promise.all([
    startFakeBedrock({ reply: () => ({ text: ANSWERS.bedrock }) }),
    startFakeAnthropic({ reply: () => ANSWERS.anthropic }),
    startFakeOpenAi({ reply: () => ANSWERS.openai, deltaSize: 5 }),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), "portflow-fallback-"));
  server = await startServerProcess(
    {
      PORTFLOW_DATA_DIR: dataDir,
      PORTFLOW_ADMIN_KEY: ADMIN_KEY,
      LLM_PROVIDER: "",
      LLM_FALLBACK: "bedrock,anthropic,openai",
      LLM_FALLBACK_TIMEOUT_MS: "20000",
      EMBEDDING_PROVIDER: "local",
      AWS_REGION: "us-east-1",
      BEDROCK_ENDPOINT: bedrock.endpoint,
      AWS_ACCESS_KEY_ID: "AKIDFAKEBEDROCK",
      AWS_SECRET_ACCESS_KEY: "fake-secret",
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      ANTHROPIC_API_KEY: "sk-ant-fake",
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_API_KEY: "sk-fake",
    },
    150_000,
  );
  const bot = await api("POST", "/bots", { name: "fallback", use_workflow_v2: true });
  botId = bot.json.id;
  expect((await api("PUT", `/bots/${botId}/workflow-versions/draft`, { graph: graph() })).status).toBe(200);
  expect((await api("POST", `/bots/${botId}/workflow-versions/draft/publish`, {})).status).toBe(201);
}, 200_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([bedrock?.close(), anthropic?.close(), openai?.close()]);
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  bedrock.reset();
  anthropic.reset();
  openai.reset();
});

describe("a server with LLM_FALLBACK=bedrock,anthropic,openai", () => {
  it("answers from bedrock while it is well", async () => {
    const chat = await api("POST", "/chat", { bot_id: botId, message: "How long do refunds take?" });
    expect(chat.status).toBe(200);
    expect(chat.json.response).toBe(ANSWERS.bedrock);
    expect((await answerNode(chat.json.run_id)).process_data).toMatchObject({ provider: "bedrock" });
  }, 30_000);

  it("answers from anthropic when bedrock is throttled, and the run records who answered and who was skipped", async () => {
    bedrock.script({ kind: "throttle", times: Number.POSITIVE_INFINITY });
    const chat = await api("POST", "/chat", { bot_id: botId, message: "How long do refunds take?" });
    expect(chat.status).toBe(200);
    expect(chat.json.response).toBe(ANSWERS.anthropic);
    const node = await answerNode(chat.json.run_id);
    expect(node.process_data).toMatchObject({
      provider: "anthropic",
      skipped_providers: [{ provider: "bedrock", error: expect.stringContaining("ThrottlingException") }],
    });
    expect(openai.requests).toHaveLength(0);
  }, 30_000);

  it("streams openai's answer over SSE when bedrock is throttled and anthropic answers 503", async () => {
    bedrock.script({ kind: "throttle", times: Number.POSITIVE_INFINITY });
    anthropic.script({ kind: "error", status: 503, times: Number.POSITIVE_INFINITY });
    const res = await fetch(`${server.url}/api/v1/chat`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ bot_id: botId, message: "How long do refunds take?", stream: true }),
    });
    const events = parseSseEvents(await res.text());
    const deltas = events.filter((e) => e.event === "text").map((e) => (e.data as { delta: string }).delta);
    expect(deltas.length).toBe(Math.ceil(ANSWERS.openai.length / 5));
    expect(deltas.join("")).toBe(ANSWERS.openai);
    const started = events.find((e) => e.event === "run.started")?.data as { run_id: string } | undefined;
    const runId = started?.run_id ?? "";
    expect((await answerNode(runId)).process_data).toMatchObject({ provider: "openai" });
  }, 30_000);

  it("does not move on after a 400 from bedrock: the chat fails with Bedrock's message", async () => {
    bedrock.script({ kind: "error", status: 400, type: "ValidationException", message: "max_tokens: too large" });
    const chat = await api("POST", "/chat", { bot_id: botId, message: "How long do refunds take?" });
    expect(JSON.stringify(chat.json)).toContain("max_tokens: too large");
    expect(anthropic.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
  }, 30_000);

  it("validates a node's model.provider against the configured providers when a draft is saved", async () => {
    const ok = await api("PUT", `/bots/${botId}/workflow-versions/draft`, {
      graph: graph({ provider: "openai", name: "gpt-4o" }),
      force: true,
    });
    expect(ok.json.problems).toEqual([]);
    const bad = await api("PUT", `/bots/${botId}/workflow-versions/draft`, {
      graph: graph({ provider: "mistral" }),
      force: true,
    });
    expect(bad.json.problems).toContainEqual(
      expect.objectContaining({ path: "nodes[1].config.model.provider", message: expect.stringContaining("mistral") }),
    );
  }, 30_000);
});
