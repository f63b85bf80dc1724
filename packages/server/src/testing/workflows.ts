/** Workflow JSON for tests and the benchmark. */

/** start → knowledge → llm → end, answering with `answer` and `sources` (DESIGN.md's example). */
export const RAG_WORKFLOW_V2 = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "retrieve",
      type: "knowledge",
      config: { top_k: 3, score_threshold: 0 },
      variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
    },
    {
      id: "answer",
      type: "llm",
      config: { system_prompt: "Answer from the context.", user_prompt: "{{context}}\n\nQ: {{query}}" },
      variable_mappings: [
        { target_port: "query", selector: ["start", "query"] },
        { target_port: "context", selector: ["retrieve", "documents"] },
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
} as const;

/** The same bot as a V1 (legacy) workflow. */
export const RAG_WORKFLOW_V1 = {
  nodes: [
    { id: "n1", type: "start", data: {} },
    { id: "n2", type: "knowledge-retrieval", data: { top_k: 3 } },
    { id: "n3", type: "llm", data: { prompt: "Context: {context}\nQuestion: {query}", temperature: 0.2 } },
    { id: "n4", type: "end", data: {} },
  ],
  edges: [
    { source: "n1", target: "n2" },
    { source: "n2", target: "n3" },
    { source: "n3", target: "n4" },
  ],
} as const;
