import { describe, expect, it } from "vitest";
import { createTestRegistry } from "../testing/index.ts";
import { validateWorkflow } from "../validate-workflow.ts";
import { WorkflowExecutorV2 } from "../workflow-executor.ts";
import { NodeAdapter } from "./node-adapter.ts";
import { upgradeV1Workflow } from "./upgrade-v1-workflow.ts";
import { UnknownV1NodeTypesError } from "./v1-node-types.ts";

const v1 = {
  nodes: [
    { id: "n1", type: "start", data: {} },
    { id: "n2", type: "knowledge-retrieval", data: { top_k: 3 } },
    { id: "n3", type: "llm", data: { prompt: "Use {context} to answer {query}", temperature: 0.7 } },
    { id: "n4", type: "end", data: {} },
  ],
  edges: [
    { source: "n1", target: "n2" },
    { source: "n2", target: "n3" },
    { source: "n3", target: "n4" },
  ],
};

describe("NodeAdapter and upgradeV1Workflow", () => {
  it("runs a V1 workflow and gives the same outputs as its upgraded V2 form", async () => {
    const registry = createTestRegistry();
    const executor = new WorkflowExecutorV2(registry);
    const adapted = await new NodeAdapter(executor).run(v1, { query: "refunds" });
    expect(adapted.status).toBe("succeeded");
    expect(adapted.outputs.answer).toBe(
      "answer: Use [1] fact 1 about refunds\n[2] fact 2 about refunds\n[3] fact 3 about refunds to answer refunds",
    );
    expect(adapted.outputs.sources).toHaveLength(3);

    const upgraded = upgradeV1Workflow(v1);
    expect(validateWorkflow(upgraded, registry).problems).toEqual([]);
    const direct = await executor.run(upgraded, { query: "refunds" });
    expect(direct.outputs).toEqual(adapted.outputs);
    expect(direct.totals.tokens).toEqual(adapted.totals.tokens);
  });

  it("feeds chat history given as the `history` input to the V1 llm, adapted or upgraded", async () => {
    const registry = createTestRegistry();
    const executor = new WorkflowExecutorV2(registry);
    const history = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const adapted = await new NodeAdapter(executor).run(v1, { query: "q", history });
    const upgraded = await executor.run(upgradeV1Workflow(v1), { query: "q", history });
    const llmInputs = (r: typeof adapted, id: string) => r.nodes.find((n) => n.nodeId === id)!;
    expect(llmInputs(upgraded, "n3").inputs.messages).toEqual(history);
    expect(adapted.status).toBe("succeeded");
  });

  it("streams the V1 llm's chunks through the adapter", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const handle = new NodeAdapter(executor).start(v1, { query: "q" });
    let text = "";
    handle.on("node.chunk", (e) => {
      text += e.chunk;
    });
    const result = await handle.result;
    expect(text).toBe(result.outputs.answer);
  });

  it("upgrades prompts and mappings explicitly", () => {
    const v2 = upgradeV1Workflow(v1);
    expect(v2.nodes[2]).toMatchObject({
      type: "llm",
      config: { user_prompt: "Use {{context}} to answer {{query}}", temperature: 0.7 },
      variable_mappings: [
        { target_port: "query", selector: ["n1", "query"] },
        { target_port: "context", selector: ["n2", "context"] },
        { target_port: "messages", selector: ["n1", "history"] },
      ],
    });
    expect(v2.nodes[3]?.variable_mappings).toEqual([
      { target_port: "answer", selector: ["n3", "text"] },
      { target_port: "sources", selector: ["n2", "documents"] },
    ]);
  });

  it("maps V1 llm settings into the ranges V2 accepts", () => {
    const v2 = upgradeV1Workflow({
      nodes: [{ id: "l", type: "llm", data: { prompt: "{query}", temperature: 1.4, model: "gpt-4", max_tokens: 99 } }],
    });
    expect(v2.nodes[0]?.config).toEqual({ user_prompt: "{{query}}", temperature: 1, max_tokens: 99 });
  });

  it("refuses unknown V1 node types, listing each", () => {
    const bad = {
      nodes: [...v1.nodes, { id: "x1", type: "web-search", data: {} }, { id: "x2", type: "code", data: {} }],
      edges: v1.edges,
    };
    expect(() => upgradeV1Workflow(bad)).toThrow(UnknownV1NodeTypesError);
    expect(() => upgradeV1Workflow(bad)).toThrow("x1 (web-search), x2 (code)");
    const executor = new WorkflowExecutorV2(createTestRegistry());
    expect(() => new NodeAdapter(executor).start(bad, { query: "q" })).toThrow("x1 (web-search), x2 (code)");
  });
});
