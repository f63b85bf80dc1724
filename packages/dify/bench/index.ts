/**
 * Dify import cost: a generated 50-node chatflow (start, alternating knowledge-retrieval and llm
 * nodes with templates, an if-else every ten nodes, answers) imported end to end, against parsing
 * its YAML alone. Run alone: `tsx packages/dify/bench/index.ts`.
 */
import { pathToFileURL } from "node:url";
import { parse, stringify } from "yaml";
import { importDifyDsl } from "../src/index.ts";

export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** A chatflow of `size` nodes in one chain, with an if-else (and an answer on its true branch) every ten. */
export function generatedChatflow(size: number): string {
  const nodes: unknown[] = [
    { id: "n0", position: { x: 0, y: 0 }, data: { type: "start", title: "Start", variables: [] } },
  ];
  const edges: unknown[] = [];
  let previous = "n0";
  let handle = "source";
  for (let i = 1; nodes.length < size - 1; i++) {
    const id = `n${i}`;
    const position = { x: i * 300, y: 0 };
    if (i % 10 === 0) {
      nodes.push({
        id,
        position,
        data: {
          type: "if-else",
          title: `Check ${i}`,
          cases: [
            {
              case_id: "true",
              logical_operator: "and",
              conditions: [{ variable_selector: [previous, "text"], comparison_operator: "contains", value: "stop" }],
            },
          ],
        },
      });
      nodes.push({
        id: `${id}a`,
        position,
        data: { type: "answer", title: `Stop ${i}`, answer: `Stopped at ${i}: {{#${previous}.text#}}` },
      });
      edges.push({ source: previous, sourceHandle: handle, target: id, targetHandle: "target" });
      edges.push({ source: id, sourceHandle: "true", target: `${id}a`, targetHandle: "target" });
      handle = "false";
    } else if (i % 2 === 1) {
      nodes.push({
        id,
        position,
        data: {
          type: "knowledge-retrieval",
          title: `Search ${i}`,
          query_variable_selector: ["sys", "query"],
          dataset_ids: ["d1"],
          retrieval_mode: "multiple",
          multiple_retrieval_config: { top_k: 3, score_threshold: 0.2 },
        },
      });
      edges.push({ source: previous, sourceHandle: handle, target: id, targetHandle: "target" });
      handle = "source";
    } else {
      nodes.push({
        id,
        position,
        data: {
          type: "llm",
          title: `Write ${i}`,
          model: { provider: "openai", name: "gpt-4o-mini", mode: "chat", completion_params: { temperature: 0.3 } },
          context: { enabled: true, variable_selector: [`n${i - 1}`, "result"] },
          prompt_template: [
            { role: "system", text: "Use the context: {{#context#}}" },
            { role: "user", text: `Step ${i} for {{#sys.query#}}` },
          ],
        },
      });
      edges.push({ source: previous, sourceHandle: handle, target: id, targetHandle: "target" });
      handle = "source";
    }
    previous = id;
  }
  nodes.push({ id: "final", data: { type: "answer", title: "Answer", answer: `{{#${previous}.text#}}` } });
  edges.push({ source: previous, sourceHandle: handle, target: "final", targetHandle: "target" });
  return stringify({
    kind: "app",
    version: "0.3.0",
    app: { name: "bench", mode: "advanced-chat" },
    workflow: { graph: { nodes, edges } },
  });
}

/** Median ms per call over `rounds` rounds of `iterations`, after a warm-up round. */
function measure(fn: () => unknown, iterations: number, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    samples.push((performance.now() - t0) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

export default async function bench(): Promise<BenchRow[]> {
  const text = generatedChatflow(50);
  const check = importDifyDsl(text);
  const count = (parse(text) as { workflow: { graph: { nodes: unknown[] } } }).workflow.graph.nodes.length;
  if (check.workflow === undefined || check.problems.length > 0 || count !== 50) {
    throw new Error(`the generated 50-node file did not import cleanly: ${JSON.stringify(check.problems.slice(0, 3))}`);
  }
  const full = measure(() => importDifyDsl(text), 50);
  const yamlOnly = measure(() => parse(text), 50);
  return [
    {
      group: "dify",
      name: "import a 50-node chatflow (YAML → V2 workflow + report)",
      value: full,
      unit: "ms/import",
      note: `${(text.length / 1024).toFixed(0)} KiB of YAML, ${check.workflow.nodes.length} Portflow nodes`,
    },
    { group: "dify", name: "parse the same YAML only (yaml 2.9)", value: yamlOnly, unit: "ms/parse" },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await bench());
}
