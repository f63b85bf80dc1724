/** The editor's text read as a workflow graph, or why it cannot be sent. */
export type ParsedDraft =
  | { readonly ok: true; readonly graph: Record<string, unknown> }
  | { readonly ok: false; readonly message: string };

/** Parses the JSON editor's text; the API wants a JSON object (`{ nodes, edges, ... }`). */
export function parseDraftJson(text: string): ParsedDraft {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "The workflow must be a JSON object with nodes and edges." };
  }
  return { ok: true, graph: value as Record<string, unknown> };
}
