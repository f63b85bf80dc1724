import { validateWorkflow, WorkflowExecutorV2, type WorkflowV2Json } from "@portflow/engine";
import { createTestRegistry } from "@portflow/engine/testing";
import { createNodeRegistry } from "@portflow/nodes";
import { describe, expect, it } from "vitest";
import { importDifyDsl } from "../src/index.ts";
import { fixture } from "./fixtures.ts";

const executor = new WorkflowExecutorV2(createTestRegistry());

function imported(name: string, options = {}) {
  const result = importDifyDsl(fixture(name), options);
  if (result.workflow === undefined) throw new Error(`${name} was refused: ${JSON.stringify(result.problems)}`);
  return { ...result, workflow: result.workflow as WorkflowV2Json };
}

function expectValid(workflow: WorkflowV2Json): void {
  for (const registry of [createNodeRegistry(), createTestRegistry()]) {
    expect(validateWorkflow(workflow, registry, { allowV1: false }).problems).toEqual([]);
  }
}

const node = (workflow: WorkflowV2Json, id: string) => workflow.nodes.find((n) => n.id === id);

describe("support chatflow (advanced-chat: if-else, knowledge, llm, answers)", () => {
  const { workflow, problems, report } = imported("support-chatflow.yml");

  it("imports without problems into a workflow the real node registry accepts", () => {
    expect(problems).toEqual([]);
    expectValid(workflow);
  });

  it("keeps the if-else branches as ports and maps each answer to an answer node", () => {
    expect(workflow.edges).toContainEqual({ source: "1720000000002", target: "1720000000003", source_port: "true" });
    expect(workflow.edges).toContainEqual({ source: "1720000000002", target: "1720000000004", source_port: "false" });
    expect(node(workflow, "1720000000006")).toMatchObject({ type: "answer", config: { answer: "{{text}}" } });
    expect(node(workflow, "1720000000006_end")).toBeUndefined();
    expect(report.items.find((i) => i.dify === 'answer "Answer"')).toMatchObject({
      status: "mapped",
      portflow_type: "answer",
    });
  });

  it("maps the legacy [start, sys.query] selector, the context and the memory", () => {
    expect(node(workflow, "1720000000004")).toMatchObject({
      type: "knowledge",
      config: { top_k: 4, score_threshold: 0.3 },
      variable_mappings: [{ target_port: "query", selector: ["sys", "query"] }],
    });
    const llm = node(workflow, "1720000000005");
    expect(llm?.config).toMatchObject({ user_prompt: "{{sys.query}}", temperature: 0.2, max_tokens: 800 });
    expect(llm?.config?.system_prompt).toContain("<context>\n{{context}}\n</context>");
    expect(llm?.config).not.toHaveProperty("model");
    expect(llm?.variable_mappings).toEqual([{ target_port: "context", selector: ["1720000000004", "documents"] }]);
    expect(report.items.find((i) => i.portflow_type === "llm")?.notes.join()).toMatch(/memory window of 10/);
  });

  it("reports env, features, the sticky note, positions and conversation variables", () => {
    expect(workflow.env).toEqual({ SUPPORT_EMAIL: "help@example.com" });
    expect(report.env).toEqual(["SUPPORT_EMAIL"]);
    expect(report.items.filter((i) => i.status === "dropped").map((i) => i.dify)).toEqual(["features", "sticky note"]);
    expect(node(workflow, "1720000000001")?.position).toEqual({ x: 30, y: 263 });
    expect(report.conversation_variables).toEqual([
      { name: "last_product", type: "string", default: "", description: "The product the customer asked about last" },
    ]);
    expect(workflow.conversation_variables).toEqual([
      { name: "last_product", type: "string", default: "", description: "The product the customer asked about last" },
    ]);
    expect(report.models).toEqual([
      {
        path: "workflow.graph.nodes[4].data.model",
        provider: "langgenius/openai/openai",
        name: "gpt-4o-mini",
        mapped_to: null,
      },
    ]);
  });

  it("runs: a refund question takes the fast answer with the env value, others go through retrieval", async () => {
    const refund = await executor.run(workflow, {}, { system: { query: "Can I get a refund?", bot_id: "b1" } });
    expect(refund.status).toBe("succeeded");
    expect(refund.outputs).toEqual({
      answer: "Refunds are paid back to your card within 5 business days. Questions: help@example.com",
    });
    const other = await executor.run(workflow, {}, { system: { query: "Where is my parcel?", bot_id: "b1" } });
    expect(other.outputs).toEqual({ answer: "answer: Where is my parcel?" });
    expect(other.nodes.find((n) => n.nodeId === "1720000000004")?.status).toBe("succeeded");
  });

  it("puts a model of the model map into the llm config and the report", () => {
    const mapped = imported("support-chatflow.yml", {
      modelMap: { "openai/gpt-4o-mini": { provider: "bedrock", name: "anthropic.claude-haiku-4-5" } },
    });
    expect(node(mapped.workflow, "1720000000005")?.config?.model).toBe("anthropic.claude-haiku-4-5");
    expect(mapped.report.models[0]?.mapped_to).toEqual({ provider: "bedrock", name: "anthropic.claude-haiku-4-5" });
  });
});

describe("research workflow (typed start, list-operator, parallel iteration, numeric if-else, aggregator)", () => {
  const { workflow, problems, report } = imported("research-workflow.yml");

  it("imports typed start inputs and a workflow that validates", () => {
    expect(problems).toEqual([]);
    expectValid(workflow);
    expect(node(workflow, "1730000000001")?.config?.inputs).toEqual([
      { name: "topic", type: "string", required: true, description: "Topic" },
      { name: "depth", type: "number", required: false, default: 2, description: "Depth (1-5)" },
      { name: "tone", type: "string", required: true, description: "Tone" },
      { name: "notes", type: "string", required: false, default: "", description: "Extra notes" },
    ]);
  });

  it("maps the iteration, its body, the list operator and the node policies", () => {
    expect(node(workflow, "1730000000004")).toMatchObject({
      type: "iteration",
      config: {
        output_selector: ["1730000000006", "text"],
        output_type: "string",
        parallel: true,
        parallelism: 3,
        error_mode: "continue-on-error",
      },
      variable_mappings: [{ target_port: "items", selector: ["1730000000003", "result"] }],
    });
    expect(node(workflow, "1730000000006")?.parent_id).toBe("1730000000004");
    expect(node(workflow, "1730000000004start")).toMatchObject({ type: "iteration-start", parent_id: "1730000000004" });
    expect(node(workflow, "1730000000003")?.config).toEqual({ limit: { first: 3 } });
    expect(node(workflow, "1730000000008")?.retry).toEqual({ max_attempts: 3, initial_delay_ms: 1000, backoff: 1 });
    expect(node(workflow, "1730000000009")).toMatchObject({
      error_strategy: "default-value",
      default_outputs: { text: "No summary available." },
    });
    expect(node(workflow, "1730000000007")?.config).toEqual({
      cases: [
        {
          id: "8c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
          logical: "and",
          conditions: [{ input: "depth", operator: "gte", value: 3 }],
        },
      ],
    });
    expect(report.items.find((i) => i.portflow_type === "if-else")?.notes.join()).toMatch(/converted/);
  });

  it("runs: three summaries, then the deep or the brief note by depth", async () => {
    const deep = await executor.run(
      workflow,
      { topic: "bike brakes", tone: "formal", depth: 4 },
      { system: { bot_id: "b1" } },
    );
    expect(deep.status).toBe("succeeded");
    expect(deep.outputs.summaries).toHaveLength(3);
    expect(String(deep.outputs.note)).toMatch(/^answer: Topic: bike brakes/);
    expect(deep.outputs.sources).toHaveLength(6);
    const brief = await executor.run(workflow, { topic: "bike brakes", tone: "plain" }, { system: { bot_id: "b1" } });
    expect(String(brief.outputs.note)).toMatch(/^answer: In three sentences, for a plain reader/);
  });
});

describe("loop refine workflow (loop variables, break condition, assigner, loop-end)", () => {
  const { workflow, problems, report } = imported("loop-refine-workflow.yml");

  it("folds the body's assigner into loop updates and drops loop-end", () => {
    expect(problems).toEqual([]);
    expectValid(workflow);
    expect(node(workflow, "1740000000002")?.config).toEqual({
      loop_variables: [
        { name: "text", type: "string", value: "" },
        { name: "max_words", type: "number", value: 120 },
      ],
      updates: [{ variable: "text", selector: ["1740000000003", "text"] }],
      break_conditions: [{ variable: "text", operator: "contains", value: "FINAL" }],
      logical: "and",
      max_iterations: 4,
    });
    expect(workflow.nodes.map((n) => n.id)).not.toContain("1740000000004");
    expect(workflow.nodes.map((n) => n.id)).not.toContain("1740000000005");
    expect(report.items.find((i) => i.dify === 'loop-end "Exit early"')?.status).toBe("dropped");
    expect(report.items.find((i) => i.dify === 'assigner "Keep the new version"')?.notes).toEqual([
      'folded into the updates of loop "Refine"',
    ]);
  });

  it("runs until the break condition holds", async () => {
    const run = await executor.run(workflow, { draft: "bikes r good" });
    expect(run.status).toBe("succeeded");
    expect(String(run.outputs.refined)).toContain("FINAL");
    expect(String(run.outputs.refined)).toContain("Original: bikes r good");
    expect(run.nodes.find((n) => n.nodeId === "1740000000002")?.processData).toMatchObject({
      iterations: 1,
      broke: true,
    });
  });
});

describe("intake chatflow (every node type, document-extractor still missing here)", () => {
  const { workflow, problems, report } = imported("intake-chatflow.yml");

  it("emits each with its Portflow type name and reports only document-extractor as missing", () => {
    expect(problems).toEqual([]);
    expect(report.needs_node_types).toEqual(["document-extractor"]);
    const code = report.items.find((i) => i.dify === 'code "Parse order"');
    expect(code).toMatchObject({ status: "mapped", portflow_type: "code" });
    expect(code).not.toHaveProperty("needs_node_type");
  });

  it("keeps secrets as bot secrets and conversation variables as selectors", () => {
    expect(report.secrets).toEqual(["ORDER_API_KEY"]);
    expect(workflow.env).toEqual({ ORDER_API: "https://orders.example.com/api" });
    const http = node(workflow, "1760000000006");
    expect(http?.config).toMatchObject({
      method: "GET",
      url: "{{env.ORDER_API}}/orders/{{last_order}}",
      auth: { type: "bearer", token: "{{secret.ORDER_API_KEY}}" },
      query: { urgency: "{{urgency}}" },
    });
    expect(http?.variable_mappings).toContainEqual({
      target_port: "last_order",
      selector: ["conversation", "last_order"],
    });
    expect(http).toMatchObject({ error_strategy: "fail-branch", retry: { max_attempts: 4 } });
    expect(workflow.edges).toContainEqual({ source: "1760000000006", target: "1760000000012", source_port: "fail" });
    expect(node(workflow, "1760000000004")?.config).toEqual({
      assignments: [
        { variable: "last_order", operation: "overwrite", input: "order_id" },
        { variable: "turns", operation: "+=", value: 1 },
      ],
    });
    expect((workflow as { conversation_variables?: unknown }).conversation_variables).toEqual([
      { name: "last_order", type: "string", default: "", description: "Order id the customer is asking about" },
      { name: "turns", type: "number", default: 0, description: "" },
    ]);
  });

  it("maps classifier classes to branch ports and the legacy if-else and variable-assigner", () => {
    expect(node(workflow, "1760000000005")?.config).toMatchObject({
      classes: [
        { id: "1", name: "The customer asks where the order is" },
        { id: "2", name: "Anything else" },
      ],
    });
    expect(workflow.edges).toContainEqual({ source: "1760000000005", target: "1760000000009", source_port: "2" });
    expect(node(workflow, "1760000000009")?.config).toEqual({
      cases: [{ id: "true", logical: "and", conditions: [{ input: "order_id", operator: "is-empty" }] }],
    });
    expect(node(workflow, "1760000000010")).toMatchObject({
      type: "variable-aggregator",
      config: { output_type: "string", variables: ["output", "reason"] },
    });
    expect(node(workflow, "1760000000007")?.config).toMatchObject({ language: "python3" });
    expect(node(workflow, "1760000000007")?.variable_mappings).toEqual([
      { target_port: "body", selector: ["1760000000006", "body"] },
    ]);
  });
});

describe("tools and agents", () => {
  it("refuses the file, naming every tool and agent node at once", () => {
    const { workflow, problems, report } = importDifyDsl(fixture("tools-and-agents-workflow.yml"));
    expect(workflow).toBeUndefined();
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ["workflow.graph.nodes[1]", "unsupported_node"],
      ["workflow.graph.nodes[2]", "unsupported_node"],
      ["workflow.graph.nodes[3]", "unsupported_node"],
    ]);
    expect(problems[0]?.message).toMatch(/tool "tavily_search" of provider "langgenius\/tavily\/tavily"/);
    expect(problems[1]?.message).toMatch(/tool "webscraper" of provider "webscraper"/);
    expect(problems[2]?.message).toMatch(/agent strategy "function_calling" of provider "langgenius\/agent\/agent"/);
    expect(report.summary.unsupported).toBe(3);
    expect(report.secrets).toEqual(["SLACK_WEBHOOK"]);
  });
});
