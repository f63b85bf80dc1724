import type { WorkflowV1Json, WorkflowV2Json } from "../workflow-schema.ts";

export interface RagWorkflowOptions {
  readonly topK?: number;
  readonly systemPrompt?: string;
  readonly userPrompt?: string;
  /** Which knowledge output feeds the llm's `context` port (both work: documents render as text). */
  readonly contextFrom?: "context" | "documents";
  /** Extra knowledge config (score_threshold, filter). */
  readonly knowledge?: Readonly<Record<string, unknown>>;
  /** Extra llm config (temperature, max_tokens, ...). */
  readonly llm?: Readonly<Record<string, unknown>>;
}

/**
 * The canonical bot, start → knowledge → llm → end, answering with `answer` and `sources`
 * (DESIGN.md's example). Tests and benchmarks of every package build on it.
 */
export function ragWorkflow(options: RagWorkflowOptions = {}): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
      {
        id: "retrieve",
        type: "knowledge",
        config: { top_k: options.topK ?? 3, ...options.knowledge },
        variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
      },
      {
        id: "answer",
        type: "llm",
        config: {
          system_prompt: options.systemPrompt ?? "Answer from the context.",
          user_prompt: options.userPrompt ?? "{{context}}\n\nQ: {{query}}",
          ...options.llm,
        },
        variable_mappings: [
          { target_port: "query", selector: ["start", "query"] },
          { target_port: "context", selector: ["retrieve", options.contextFrom ?? "context"] },
        ],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "answer", selector: ["answer", "text"] },
          { target_port: "sources", selector: ["retrieve", "documents"] },
        ],
      },
    ],
    edges: [
      { source: "start", target: "retrieve" },
      { source: "retrieve", target: "answer" },
      { source: "answer", target: "end" },
    ],
  };
}

/** The same bot as a V1 (legacy) workflow: one implicit context. */
export function ragWorkflowV1(options: { readonly topK?: number; readonly prompt?: string } = {}): WorkflowV1Json {
  return {
    nodes: [
      { id: "n1", type: "start", data: {} },
      { id: "n2", type: "knowledge-retrieval", data: { top_k: options.topK ?? 3 } },
      {
        id: "n3",
        type: "llm",
        data: { prompt: options.prompt ?? "Context: {context}\nQuestion: {query}", temperature: 0.2 },
      },
      { id: "n4", type: "end", data: {} },
    ],
    edges: [
      { source: "n1", target: "n2" },
      { source: "n2", target: "n3" },
      { source: "n3", target: "n4" },
    ],
  };
}
