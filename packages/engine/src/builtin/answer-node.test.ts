import { describe, expect, it } from "vitest";
import type { RunEvent } from "../run-events.ts";
import { createTestRegistry } from "../testing/index.ts";
import { validateWorkflow } from "../validate-workflow.ts";
import { WorkflowExecutorV2 } from "../workflow-executor.ts";
import type { WorkflowV2Json } from "../workflow-schema.ts";

const registry = createTestRegistry();
const executor = new WorkflowExecutorV2(registry);
type Node = WorkflowV2Json["nodes"][number];

const answer = (id: string, text: string, mappings: Node["variable_mappings"] = []): Node => ({
  id,
  type: "answer",
  config: { answer: text },
  variable_mappings: mappings,
});
const sleep = (id: string, ms: number): Node => ({ id, type: "sleep", config: { ms } });

/** Runs and keeps every event in order as `name nodeId[ chunk]`. */
async function trace(workflow: WorkflowV2Json, inputs: Record<string, unknown>) {
  const handle = executor.start(workflow, inputs);
  const seen: string[] = [];
  const listen = (name: RunEvent["type"]) =>
    handle.on(name, (e: RunEvent) => {
      if (e.type === "node.chunk") seen.push(`${e.answer ? "answer" : "chunk"} ${e.nodeId} ${JSON.stringify(e.chunk)}`);
      else if ("nodeId" in e) seen.push(`${e.type} ${e.nodeId}`);
    });
  for (const name of ["node.started", "node.chunk", "node.finished", "node.skipped"] as const) listen(name);
  const result = await handle.result;
  return { result, seen, answers: seen.filter((s) => s.startsWith("answer ")) };
}

describe("answer", () => {
  it("streams an LLM's tokens through its template as they arrive, and joins the answer into outputs", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        { id: "llm", type: "llm", variable_mappings: [{ target_port: "query", selector: ["start", "query"] }] },
        answer("reply", "Hi {{q}}: {{text}}!", [
          { target_port: "q", selector: ["start", "query"] },
          { target_port: "text", selector: ["llm", "text"] },
        ]),
      ],
      edges: [
        { source: "start", target: "llm" },
        { source: "llm", target: "reply" },
      ],
    };
    // Chat mode: answers and no end node.
    expect(validateWorkflow(workflow, registry).problems).toEqual([]);
    const { result, seen } = await trace(workflow, { query: "Ann" });
    const text = "answer: Ann";
    expect(result.outputs).toEqual({ answer: `Hi Ann: ${text}!` });
    // The prefix and the LLM's chunks go out before the LLM node has even finished.
    const llmDone = seen.indexOf("node.finished llm");
    const streamed = seen.slice(0, llmDone).filter((s) => s.startsWith("answer reply"));
    expect(streamed.map((s) => JSON.parse(s.slice("answer reply ".length)))).toEqual(["Hi Ann: ", "answer", ": Ann"]);
    expect(seen.slice(llmDone).filter((s) => s.startsWith("answer"))).toEqual(['answer reply "!"']);
  });

  it("streams several answers in graph order: a slow later one does not block an earlier one", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [{ id: "start", type: "start" }, answer("first", "one."), sleep("slow", 30), answer("second", "two.")],
      edges: [
        { source: "start", target: "first" },
        { source: "start", target: "slow" },
        { source: "slow", target: "second" },
      ],
    };
    const { result, seen } = await trace(workflow, { query: "q" });
    expect(result.outputs).toEqual({ answer: "one.two." });
    expect(seen.indexOf('answer first "one."')).toBeLessThan(seen.indexOf("node.finished slow"));
  });

  it("never lets a later answer overtake an earlier one that waits on a slow branch", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [{ id: "start", type: "start" }, sleep("slow", 30), answer("first", "one."), answer("second", "two.")],
      edges: [
        { source: "start", target: "slow" },
        { source: "slow", target: "first" },
        { source: "start", target: "second" },
      ],
    };
    const { result, seen, answers } = await trace(workflow, { query: "q" });
    // `second` ran long before `first`, yet is said after it.
    expect(seen.indexOf("node.finished second")).toBeLessThan(seen.indexOf("node.finished first"));
    expect(answers).toEqual(['answer first "one."', 'answer second "two."']);
    expect(result.outputs).toEqual({ answer: "one.two." });
  });

  it("skips an answer on a branch not taken, and answers with end nodes too", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        {
          id: "route",
          type: "if-else",
          config: { cases: [{ id: "yes", conditions: [{ input: "q", operator: "equals", value: "yes" }] }] },
          variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
        },
        answer("agree", "sure"),
        answer("refuse", "no way"),
        { id: "end", type: "end", variable_mappings: [{ target_port: "asked", selector: ["start", "query"] }] },
      ],
      edges: [
        { source: "start", target: "route" },
        { source: "route", target: "agree", source_port: "yes" },
        { source: "route", target: "refuse", source_port: "false" },
        { source: "start", target: "end" },
      ],
    };
    const { result, answers } = await trace(workflow, { query: "maybe" });
    expect(answers).toEqual(['answer refuse "no way"']);
    expect(result.outputs).toEqual({ asked: "maybe", answer: "no way" });
  });

  it("says an answer inside an iteration once per round, in round order", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start", config: { inputs: [{ name: "items", type: "array", required: true }] } },
        {
          id: "each",
          type: "iteration",
          config: { parallel: true, parallelism: 3 },
          variable_mappings: [{ target_port: "items", selector: ["start", "items"] }],
        },
        { ...answer("part", "[{{i}}]", [{ target_port: "i", selector: ["each", "item"] }]), parent_id: "each" },
        answer("done", " done"),
      ],
      edges: [
        { source: "start", target: "each" },
        { source: "each", target: "done" },
      ],
    };
    const { result, answers } = await trace(workflow, { items: ["a", "b", "c"] });
    expect(answers).toEqual(['answer part "[a]"', 'answer part "[b]"', 'answer part "[c]"', 'answer done " done"']);
    expect(result.outputs).toEqual({ answer: "[a][b][c] done" });
  });

  it("requires an end or answer node reachable from start", () => {
    const { problems } = validateWorkflow({ schema_version: 2, nodes: [{ id: "start", type: "start" }] }, registry);
    expect(problems).toContainEqual({
      path: "nodes",
      code: "end_count",
      message: "a workflow needs at least one end or answer node, found none",
    });
  });
});
