import { ragWorkflow } from "@portflow/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Graph = { schema_version?: 2; nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
const graph = (): Graph => structuredClone(ragWorkflow()) as Graph;

/** Each typo of issue 16, as a user would save it, and the problem the draft must carry. */
const TYPOS: readonly [string, (g: Graph) => void, { path: string; message: RegExp }][] = [
  [
    "a mapping to an unknown llm input",
    (g) => {
      (g.nodes[2]!.variable_mappings as { target_port: string }[])[1]!.target_port = "contex";
    },
    { path: "nodes[2].variable_mappings[1].target_port", message: /no input port "contex".*did you mean "context"/ },
  ],
  [
    "an unknown config key",
    (g) => {
      (g.nodes[2]!.config as Record<string, unknown>).temprature = 0.3;
    },
    { path: "nodes[2].config.temprature", message: /unknown key "temprature" — did you mean "temperature"/ },
  ],
  [
    "a template placeholder typo",
    (g) => {
      (g.nodes[2]!.config as Record<string, unknown>).user_prompt = "{{contxt}} {{query}}";
    },
    { path: "nodes[2].config.user_prompt", message: /\{\{contxt\}\}.*did you mean "context"/ },
  ],
  [
    "a missing schema_version",
    (g) => {
      delete g.schema_version;
    },
    { path: "schema_version", message: /V2 needs "schema_version": 2/ },
  ],
  [
    "fail-branch without a fail edge",
    (g) => {
      g.nodes[2]!.error_strategy = "fail-branch";
    },
    { path: "nodes[2].error_strategy", message: /needs an edge leaving "answer" by source_port "fail"/ },
  ],
  [
    "an unknown node type",
    (g) => {
      g.nodes[1]!.type = "knowlege";
    },
    { path: "nodes[1].type", message: /did you mean "knowledge"\? \(known types: .*llm/ },
  ],
];

describe("PUT draft reports each typo of issue 16 as a problem, and publish refuses it", () => {
  it.each(TYPOS)("%s", async (_name, typo, expected) => {
    const botId = (await t.storage.bots.create({ name: "typos" })).id;
    const url = `/api/v1/bots/${botId}/workflow-versions/draft`;
    const g = graph();
    typo(g);
    const saved = await t.app.inject({ method: "PUT", url, headers: t.admin, payload: { graph: g, revision: 0 } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().valid).toBe(false);
    expect(saved.json().problems).toContainEqual(
      expect.objectContaining({ path: expected.path, message: expect.stringMatching(expected.message) }),
    );
    const publish = await t.app.inject({ method: "POST", url: `${url}/publish`, headers: t.admin });
    expect(publish.statusCode).toBe(422);
  });

  it("the same workflow without a typo saves valid", async () => {
    const botId = (await t.storage.bots.create({ name: "typos" })).id;
    const url = `/api/v1/bots/${botId}/workflow-versions/draft`;
    const saved = await t.app.inject({
      method: "PUT",
      url,
      headers: t.admin,
      payload: { graph: graph(), revision: 0 },
    });
    expect(saved.json()).toMatchObject({ valid: true, problems: [] });
  });
});
