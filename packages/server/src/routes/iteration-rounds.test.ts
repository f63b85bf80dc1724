import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** start(items) → each (iteration; body: shout) → end(output). */
const ITERATION_WORKFLOW = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "items", type: "array", required: true }] } },
    {
      id: "each",
      type: "iteration",
      config: { output_selector: ["shout", "text"] },
      variable_mappings: [{ target_port: "items", selector: ["start", "items"] }],
    },
    {
      id: "shout",
      type: "template",
      parent_id: "each",
      config: { template: "{{item}}!" },
      variable_mappings: [{ target_port: "item", selector: ["each", "item"] }],
    },
    { id: "end", type: "end", variable_mappings: [{ target_port: "output", selector: ["each", "output"] }] },
  ],
  edges: [
    { source: "start", target: "each" },
    { source: "each", target: "end" },
  ],
};

describe("iteration rounds over HTTP", () => {
  it("debug-runs an iteration and returns each body execution with its container and round", async () => {
    const bot = await t.storage.bots.create({ name: "rounds" });
    const url = `/api/v1/bots/${bot.id}/workflow-versions`;
    const saved = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: ITERATION_WORKFLOW, revision: 0 },
    });
    expect(saved.json()).toMatchObject({ valid: true, problems: [] });

    const run = await t.app.inject({
      method: "POST",
      url: `${url}/draft/run`,
      headers: t.admin,
      payload: { inputs: { items: ["a", "b"] } },
    });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ status: "succeeded", outputs: { output: ["a!", "b!"] } });

    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${bot.id}/workflow-executions/${run.json().run_id}`,
      headers: t.admin,
    });
    const rounds = (
      detail.json().node_executions as {
        node_id: string;
        parent_node_id: string | null;
        iteration_index: number | null;
      }[]
    ).map((n) => [n.node_id, n.parent_node_id, n.iteration_index]);
    expect(rounds).toEqual([
      ["start", null, null],
      ["shout", "each", 0],
      ["shout", "each", 1],
      ["each", null, null],
      ["end", null, null],
    ]);
  });
});
