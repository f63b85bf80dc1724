import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Counts turns and remembers the last message; `fail` adds a node that fails after the writes. */
function rememberingWorkflow(fail = false) {
  return {
    schema_version: 2,
    conversation_variables: [
      { name: "turns", type: "number", default: 0 },
      { name: "last", type: "string", default: "" },
    ],
    nodes: [
      { id: "start", type: "start" },
      {
        id: "remember",
        type: "assigner",
        config: {
          assignments: [
            { variable: "turns", operation: "+=", value: 1 },
            { variable: "last", operation: "overwrite", input: "message" },
          ],
        },
        variable_mappings: [{ target_port: "message", selector: ["start", "query"] }],
      },
      // reads a path the string input does not have: valid, and fails only at run time
      ...(fail
        ? [
            {
              id: "broken",
              type: "template",
              config: { template: "{{message.missing}}" },
              variable_mappings: [{ target_port: "message", selector: ["start", "query"] }],
            },
          ]
        : []),
      { id: "reply", type: "answer", config: { answer: "turn {{conversation.turns}}: {{conversation.last}}" } },
    ],
    edges: [
      { source: "start", target: "remember" },
      ...(fail
        ? [
            { source: "remember", target: "broken" },
            { source: "broken", target: "reply" },
          ]
        : [{ source: "remember", target: "reply" }]),
    ],
  };
}

async function publishedBot(graph: unknown): Promise<string> {
  const bot = await t.storage.bots.create({ name: "memory" });
  await t.storage.workflowVersions.saveDraft(bot.id, graph);
  await t.storage.workflowVersions.publish(bot.id);
  return bot.id;
}

const chat = (payload: Record<string, unknown>) =>
  t.app.inject({ method: "POST", url: "/api/v1/chat", headers: t.admin, payload });

describe("conversation variables through the chat API", () => {
  it("keeps them per session across turns, and shows them on the sessions route", async () => {
    const botId = await publishedBot(rememberingWorkflow());
    const first = await chat({ bot_id: botId, message: "hello", session_id: "s-1" });
    expect(first.json()).toMatchObject({ response: "turn 1: hello" });
    const second = await chat({ bot_id: botId, message: "again", session_id: "s-1" });
    expect(second.json()).toMatchObject({ response: "turn 2: again" });
    const other = await chat({ bot_id: botId, message: "new", session_id: "s-2" });
    expect(other.json()).toMatchObject({ response: "turn 1: new" });

    const shown = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/sessions/s-1/variables`,
      headers: t.admin,
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().variables.map((v: { name: string; value: unknown }) => [v.name, v.value])).toEqual([
      ["last", "again"],
      ["turns", 2],
    ]);
  });

  it("leaves the session unchanged when the run fails after writing", async () => {
    const botId = await publishedBot(rememberingWorkflow(true));
    await t.storage.conversationVariables.apply(botId, "s-f", { turns: 5 });
    const failed = await chat({ bot_id: botId, message: "boom", session_id: "s-f" });
    expect(failed.statusCode).toBe(500);
    expect(await t.storage.conversationVariables.get(botId, "s-f")).toEqual({ turns: 5 });
  });

  it("streams the answer node's text as SSE text events carrying its id", async () => {
    const botId = await publishedBot(rememberingWorkflow());
    const res = await chat({ bot_id: botId, message: "stream me", session_id: "s-sse", stream: true });
    const events = parseSseEvents(res.body);
    const texts = events.filter((e) => e.event === "text").map((e) => e.data as { node_id: string; delta: string });
    expect(texts).toEqual([{ node_id: "reply", delta: "turn 1: stream me" }]);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { response: "turn 1: stream me" } });
  });

  it("refuses the sessions route to another bot's key, and to a chat key", async () => {
    const botId = await publishedBot(rememberingWorkflow());
    const otherBot = await t.storage.bots.create({ name: "other" });
    const other = await t.keyFor(otherBot.id);
    const url = `/api/v1/bots/${botId}/sessions/s-1/variables`;
    expect((await t.app.inject({ method: "GET", url, headers: other })).statusCode).toBe(404);
    const chatKey = await t.storage.apiKeys.create({ name: "widget", botId, scope: "chat" });
    const refused = await t.app.inject({
      method: "GET",
      url,
      headers: { authorization: `Bearer ${chatKey.plaintext}` },
    });
    expect(refused.statusCode).toBe(403);
  });
});
