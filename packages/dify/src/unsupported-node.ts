import type { DifyNode } from "./dify-node.ts";

/** Dify node types that run tools or agents: nothing in Portflow can run them. */
export const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set(["tool", "agent"]);

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/** A plain sentence naming the tool or agent strategy a node would run, for the refusal. */
export function describeUnsupported(node: DifyNode): string {
  const d = node.data;
  if (node.type === "tool") {
    const provider = text(d.provider_name) ?? text(d.provider_id) ?? "unknown provider";
    const tool = text(d.tool_name) ?? text(d.tool_label) ?? "unknown tool";
    const kind = text(d.provider_type);
    return `tool node "${node.title}" calls tool "${tool}" of provider "${provider}"${kind ? ` (${kind})` : ""}: Portflow cannot run Dify tools`;
  }
  if (node.type === "agent") {
    const provider = text(d.agent_strategy_provider_name) ?? "unknown provider";
    const strategy = text(d.agent_strategy_name) ?? text(d.agent_strategy_label) ?? "unknown strategy";
    return `agent node "${node.title}" runs agent strategy "${strategy}" of provider "${provider}": Portflow cannot run Dify agents`;
  }
  return `node "${node.title}" has Dify type "${node.type}", which Portflow cannot import`;
}
