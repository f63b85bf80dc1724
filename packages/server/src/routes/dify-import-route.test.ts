import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

const fixture = (name: string) => readFileSync(new URL(`../../../dify/test/fixtures/${name}`, import.meta.url), "utf8");
const yaml = { "content-type": "application/yaml" };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const importUrl = (botId: string, query = "") => `/api/v1/bots/${botId}/workflow-versions/draft/import${query}`;

describe("POST /api/v1/bots/{bot_id}/workflow-versions/draft/import", () => {
  it("saves a Dify chatflow as the draft and answers it with the problems and report", async () => {
    const botId = (await t.storage.bots.create({ name: "imported" })).id;
    const res = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: { ...t.admin, ...yaml },
      payload: fixture("support-chatflow.yml"),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.draft).toMatchObject({ status: "draft", revision: 1, valid: true, problems: [] });
    expect(body.draft.graph.nodes.map((n: { type: string }) => n.type)).toContain("knowledge");
    expect(body.problems).toEqual([]);
    expect(body.report.summary).toMatchObject({ dropped: 2 });
    expect(res.headers.etag).toBe('"1"');
    // a draft, never published
    expect((await t.storage.bots.get(botId))?.publishedVersionId).toBeNull();
    const debug = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { inputs: { query: "Can I get a refund?" } },
    });
    expect(debug.json()).toMatchObject({
      status: "succeeded",
      outputs: { answer: "Refunds are paid back to your card within 5 business days. Questions: help@example.com" },
    });
  });

  it("keeps the draft's revision rules: a second import needs the revision it replaces", async () => {
    const botId = (await t.storage.bots.create({ name: "twice" })).id;
    const send = (query: string) =>
      t.app.inject({
        method: "POST",
        url: importUrl(botId, query),
        headers: { ...t.admin, ...yaml },
        payload: fixture("research-workflow.yml"),
      });
    expect((await send("")).statusCode).toBe(200);
    const stale = await send("");
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("revision_conflict");
    const next = await send("?revision=1");
    expect(next.json().draft.revision).toBe(2);
  });

  it("refuses tool and agent nodes with 422 listing each, and saves nothing", async () => {
    const botId = (await t.storage.bots.create({ name: "tools" })).id;
    const res = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: { ...t.admin, ...yaml },
      payload: fixture("tools-and-agents-workflow.yml"),
    });
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error.code).toBe("dify_import_refused");
    expect(error.details.problems.map((p: { code: string }) => p.code)).toEqual([
      "unsupported_node",
      "unsupported_node",
      "unsupported_node",
    ]);
    expect(await t.storage.workflowVersions.getDraft(botId)).toBeUndefined();
  });

  it("refuses malformed YAML with its line and a JSON body with 400 naming the body", async () => {
    const botId = (await t.storage.bots.create({ name: "bad" })).id;
    const broken = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: { ...t.admin, ...yaml },
      payload: "kind: app\napp: [\n",
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().error.details.problems[0]).toMatchObject({ code: "invalid_yaml", line: expect.any(Number) });
    const json = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: t.admin,
      payload: { kind: "app" },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.code).toBe("validation_error");
  });

  it("maps Dify models through a JSON body's model_map, recorded in the report; others stay on the server's provider", async () => {
    const botId = (await t.storage.bots.create({ name: "mapped" })).id;
    const res = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: t.admin,
      payload: {
        yaml: fixture("support-chatflow.yml"),
        model_map: { "openai/gpt-4o-mini": { provider: "bedrock", name: "anthropic.claude-haiku-4-5-20251001-v1:0" } },
      },
    });
    expect(res.statusCode).toBe(200);
    const llm = res.json().draft.graph.nodes.find((n: { type: string }) => n.type === "llm");
    expect(llm.config.model).toBe("anthropic.claude-haiku-4-5-20251001-v1:0");
    expect(res.json().report.models).toEqual([
      expect.objectContaining({
        name: "gpt-4o-mini",
        mapped_to: { provider: "bedrock", name: "anthropic.claude-haiku-4-5-20251001-v1:0" },
      }),
    ]);
    const unmapped = await t.app.inject({
      method: "POST",
      url: importUrl(botId, "?force=true"),
      headers: t.admin,
      payload: { yaml: fixture("support-chatflow.yml"), model_map: {} },
    });
    expect(unmapped.json().report.models[0].mapped_to).toBeNull();
    expect(unmapped.json().draft.graph.nodes.find((n: { type: string }) => n.type === "llm").config).not.toHaveProperty(
      "model",
    );
  });

  it("refuses a model_map entry without a name with 400 naming the field", async () => {
    const botId = (await t.storage.bots.create({ name: "bad map" })).id;
    const res = await t.app.inject({
      method: "POST",
      url: importUrl(botId),
      headers: t.admin,
      payload: { yaml: fixture("support-chatflow.yml"), model_map: { "openai/gpt-4o-mini": { provider: "bedrock" } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "validation_error" });
    expect(res.json().error.details.issues).toEqual([
      expect.objectContaining({ path: "body.model_map.openai/gpt-4o-mini.name" }),
    ]);
    expect(await t.storage.workflowVersions.getDraft(botId)).toBeUndefined();
  });

  it("lets a bot-scoped key import into its own bot only", async () => {
    const mine = (await t.storage.bots.create({ name: "mine" })).id;
    const other = (await t.storage.bots.create({ name: "other" })).id;
    const key = await t.keyFor(mine);
    const send = (botId: string) =>
      t.app.inject({
        method: "POST",
        url: importUrl(botId),
        headers: { ...key, ...yaml },
        payload: fixture("loop-refine-workflow.yml"),
      });
    expect((await send(mine)).statusCode).toBe(200);
    expect((await send(other)).statusCode).toBe(404);
    expect(await t.storage.workflowVersions.getDraft(other)).toBeUndefined();
  });

  it("is described in /openapi.json", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const route = doc.paths["/api/v1/bots/{bot_id}/workflow-versions/draft/import"];
    expect(route.post.summary).toMatch(/Dify DSL/);
    expect(Object.keys(route.post.requestBody.content)).toEqual([
      "application/yaml",
      "application/x-yaml",
      "text/yaml",
      "application/json",
    ]);
    const body = JSON.stringify(route.post.requestBody.content["application/json"].schema);
    expect(body).toContain('"type":"string"');
    expect(body).toContain('"model_map"');
  });
});
