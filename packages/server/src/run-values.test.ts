import { isDeepStrictEqual } from "node:util";
import { ragWorkflow } from "@portflow/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedChatModel } from "./testing/scripted-chat-model.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";

/** Fails the first request for each question, then answers: a chat that fails after retrieval. */
const failedOnce = new Set<string>();
const model = new ScriptedChatModel({
  answer: (request) => {
    const question = request.messages.at(-1)?.content ?? "";
    if (!failedOnce.has(question)) {
      failedOnce.add(question);
      throw new Error("the model is down");
    }
    return "the answer";
  },
});
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ chatModel: model });
});
afterAll(async () => {
  await t?.close();
});

const CHUNKS = 100;

/** A bot retrieving 100 chunks of about 1 KB each: its knowledge output is over 64 KiB. */
async function bigContextBot(): Promise<string> {
  const bot = await t.storage.bots.create({ name: "big context", useWorkflowV2: true });
  await t.storage.workflowVersions.saveDraft(bot.id, ragWorkflow({ contextFrom: "documents", topK: CHUNKS }));
  await t.storage.workflowVersions.publish(bot.id);
  const contents = Array.from({ length: CHUNKS }, (_, i) => `refund policy part ${i}: ${"words ".repeat(170)}`);
  const { vectors } = await t.embedder.embed(contents);
  await t.storage.vectors.upsert(
    bot.id,
    contents.map((content, i) => ({
      documentId: "policy",
      chunkIndex: i,
      content,
      metadata: { filename: "policy.md" },
      embedding: vectors[i] as number[],
    })),
  );
  return bot.id;
}

const detail = async (botId: string, runId: string) =>
  (
    await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions/${runId}`,
      headers: t.admin,
    })
  ).json() as {
    outputs: { sources?: unknown };
    node_executions: { node_id: string; truncated: boolean; inputs: unknown; outputs: { documents?: unknown[] } }[];
  };

/** How many `run_values` rows of the run hold `value`. */
async function rowsHolding(runId: string, value: unknown): Promise<number> {
  const rows = await t.storage.database.db
    .selectFrom("run_values")
    .select("value")
    .where("run_id", "=", runId)
    .execute();
  return rows.filter((row) => isDeepStrictEqual(row.value, value)).length;
}

describe("run values through the API", () => {
  it("records a knowledge output over 64 KiB in full, and a resume restores it in full without retrieving again", async () => {
    const botId = await bigContextBot();
    await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: "How are refunds paid?" },
    });
    const runs = await t.storage.runs.list(botId);
    expect(runs.items.map((r) => r.status)).toEqual(["failed"]);
    const failed = runs.items[0];

    const recorded = await detail(botId, failed!.id);
    const retrieve = recorded.node_executions.find((n) => n.node_id === "retrieve");
    expect(retrieve?.truncated).toBe(false);
    const documents = retrieve?.outputs.documents;
    expect(documents).toHaveLength(CHUNKS);
    expect(Buffer.byteLength(JSON.stringify(documents))).toBeGreaterThan(64 * 1024);
    expect(await rowsHolding(failed!.id, documents)).toBe(1);

    const resumed = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-executions/${failed!.id}/resume`,
      headers: t.admin,
    });
    expect(resumed.json()).toMatchObject({ status: "succeeded", resumed_from: failed!.id });
    const after = await detail(botId, resumed.json().run_id);
    // retrieval was not run again: its recorded documents, all 100, fed the llm and the end node.
    expect(after.node_executions.map((n) => n.node_id)).toEqual(["answer", "end"]);
    expect(after.outputs.sources).toEqual(documents);
    // The llm saw the same 100-document prompt as in the failed run.
    const [first, second] = model.requests.slice(-2).map((r) => r.messages.at(-1)?.content);
    expect(second).toBe(first);
    expect(second?.match(/refund policy part \d+:/g)).toHaveLength(CHUNKS);
    // end's inputs and outputs and the run's outputs hold the documents: one row for the resumed run.
    expect(await rowsHolding(resumed.json().run_id, documents)).toBe(1);
  });
});
