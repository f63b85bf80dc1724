/**
 * How each V1 node type maps onto a V2 node: the V2 type and config, which implicit-context keys
 * it reads into which input ports, and which output ports it writes back as context keys.
 * The NodeAdapter and `upgradeV1Workflow` both read this table, so they cannot disagree.
 * @module
 */

export interface V1NodeType {
  readonly v2Type: string;
  config(data: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Context key → V2 input port. */
  readonly reads: readonly { readonly key: string; readonly port: string }[];
  /** V2 output port → context key. */
  readonly writes: readonly { readonly port: string; readonly key: string }[];
}

/** V1 prompts use `{name}`; V2 templates use `{{name}}`. */
export function convertV1Prompt(prompt: string): string {
  return prompt.replace(/(?<!\{)\{(\w+)\}(?!\})/g, "{{$1}}");
}

const DEFAULT_V1_PROMPT = "Answer the question using the context.\n\nContext:\n{{context}}\n\nQuestion: {{query}}";

function pick(data: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (data[key] !== undefined) out[key] = data[key];
  return out;
}

export const V1_NODE_TYPES: Readonly<Record<string, V1NodeType>> = Object.freeze({
  start: {
    v2Type: "start",
    // `history`: earlier chat turns (the server passes the session's), fed to every V1 llm.
    config: () => ({
      inputs: [
        { name: "query", type: "string", required: true },
        { name: "history", type: "messages", required: false, default: [] },
      ],
    }),
    reads: [],
    writes: [
      { port: "query", key: "query" },
      { port: "history", key: "history" },
    ],
  },
  "knowledge-retrieval": {
    v2Type: "knowledge",
    config: (data) => pick(data, ["top_k", "score_threshold", "filter"]),
    reads: [{ key: "query", port: "query" }],
    writes: [
      { port: "context", key: "context" },
      { port: "documents", key: "sources" },
    ],
  },
  llm: {
    v2Type: "llm",
    config: (data) => ({
      ...pick(data, ["max_tokens", "top_p", "stop"]),
      // V1 clients allowed temperatures up to 2; Bedrock's Claude takes 0..1.
      ...(typeof data.temperature === "number" ? { temperature: Math.min(1, Math.max(0, data.temperature)) } : {}),
      // V1 bots often name a non-Bedrock model ("gpt-4"); keep only provider-qualified ids.
      ...(typeof data.model === "string" && data.model.includes(".") ? { model: data.model } : {}),
      ...(typeof data.system_prompt === "string" ? { system_prompt: convertV1Prompt(data.system_prompt) } : {}),
      user_prompt: typeof data.prompt === "string" ? convertV1Prompt(data.prompt) : DEFAULT_V1_PROMPT,
    }),
    reads: [
      { key: "query", port: "query" },
      { key: "context", port: "context" },
      { key: "history", port: "messages" },
    ],
    writes: [{ port: "text", key: "response" }],
  },
  end: {
    v2Type: "end",
    config: () => ({}),
    reads: [
      { key: "response", port: "answer" },
      { key: "sources", port: "sources" },
    ],
    writes: [],
  },
});

export class UnknownV1NodeTypesError extends Error {
  override readonly name = "UnknownV1NodeTypesError";
  constructor(readonly unknown: readonly { readonly nodeId: string; readonly type: string }[]) {
    super(
      `V1 workflow has node types with no V2 equivalent: ${unknown.map((u) => `${u.nodeId} (${u.type})`).join(", ")}` +
        ` — known V1 types: ${Object.keys(V1_NODE_TYPES).join(", ")}`,
    );
  }
}
