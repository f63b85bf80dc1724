import { createNodeRegistry } from "@portflow/nodes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe("GET /schemas/workflow-v2.json", () => {
  it("serves a JSON Schema, without a key, that accepts a real workflow and refuses typos in it", async () => {
    const res = await t.app.inject({ method: "GET", url: "/schemas/workflow-v2.json" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/schema\+json/);
    const schema = res.json();
    expect(schema).toMatchObject({ $id: "/schemas/workflow-v2.json", type: "object" });
    const validator = z.fromJSONSchema(schema);
    expect(validator.safeParse(RAG_WORKFLOW_V2).success).toBe(true);
    const [first, ...rest] = RAG_WORKFLOW_V2.nodes;
    const typo = { ...RAG_WORKFLOW_V2, nodes: [{ ...first, variable_mapings: [] }, ...rest] };
    expect(validator.safeParse(typo).success).toBe(false);
    const { schema_version: _, ...noVersion } = RAG_WORKFLOW_V2;
    expect(validator.safeParse(noVersion).success).toBe(false);
  });
});

describe("GET /api/v1/node-types", () => {
  it("lists every registered node type with its ports and config JSON Schema", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/node-types", headers: t.admin });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as {
      type: string;
      ports: { inputs: { name: string; required: boolean }[]; outputs: { name: string }[] };
      config_schema: { properties?: Record<string, unknown> };
    }[];
    expect(items.map((i) => i.type)).toEqual(createNodeRegistry().types().sort());
    const llm = items.find((i) => i.type === "llm");
    expect(llm?.ports.inputs.map((p) => p.name)).toContain("context");
    expect(llm?.ports.outputs.map((p) => p.name)).toContain("text");
    expect(Object.keys(llm?.config_schema.properties ?? {})).toContain("temperature");
    const knowledge = items.find((i) => i.type === "knowledge");
    expect(knowledge?.ports.inputs).toContainEqual(expect.objectContaining({ name: "query", required: true }));
  });

  it("needs a key (401 with details) and is closed to chat keys", async () => {
    const anonymous = await t.app.inject({ method: "GET", url: "/api/v1/node-types" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.details).toEqual({ header: "authorization", scheme: "Bearer" });
    const bot = await t.storage.bots.create({ name: "widget" });
    const chat = await t.app.inject({
      method: "GET",
      url: "/api/v1/node-types",
      headers: await t.keyFor(bot.id, "chat"),
    });
    expect(chat.statusCode).toBe(403);
  });
});
