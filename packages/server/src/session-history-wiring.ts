/**
 * How chat history reaches a workflow. The chat route passes the session's messages as the run
 * input `history`. A workflow may declare that input on its start node (type `messages`) and map
 * it wherever it likes; when it does not, `wireSessionHistory` declares it and maps it to the
 * `messages` port of every `llm` node downstream of start whose `messages` port is not already
 * bound — so every chat workflow gets session memory without editing its graph.
 * @module
 */

/** The run input that carries the session's previous messages (oldest first). */
export const HISTORY_INPUT = "history";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of V2 workflow JSON with the session history wired in (see the module comment). JSON
 * that is not a recognisable V2 workflow, or has no single start node, is returned unchanged.
 */
export function wireSessionHistory(json: unknown): unknown {
  if (!isObject(json) || json.schema_version !== 2 || !Array.isArray(json.nodes)) return json;
  const nodes = json.nodes.filter(isObject);
  const starts = nodes.filter((n) => n.type === "start");
  const start = starts[0];
  if (starts.length !== 1 || start === undefined || typeof start.id !== "string") return json;
  const edges = Array.isArray(json.edges) ? json.edges.filter(isObject) : [];

  const downstream = new Set<string>();
  const queue = [start.id];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const edge of edges) {
      if (edge.source === id && typeof edge.target === "string" && !downstream.has(edge.target)) {
        downstream.add(edge.target);
        queue.push(edge.target);
      }
    }
  }
  const wiredPorts = new Set(
    edges
      .filter((e) => typeof e.target_port === "string")
      .map((e) => `${String(e.target)}\u0000${String(e.target_port)}`),
  );
  const needsHistory = (node: JsonObject): boolean => {
    if (node.type !== "llm" || typeof node.id !== "string" || !downstream.has(node.id)) return false;
    if (wiredPorts.has(`${node.id}\u0000messages`)) return false;
    const mappings = Array.isArray(node.variable_mappings) ? node.variable_mappings : [];
    return !mappings.some((m) => isObject(m) && m.target_port === "messages");
  };
  if (!nodes.some(needsHistory)) return json;

  const startConfig = isObject(start.config) ? start.config : {};
  const declared = Array.isArray(startConfig.inputs)
    ? startConfig.inputs
    : [{ name: "query", type: "string", required: true }];
  const existing = declared.find((p) => isObject(p) && p.name === HISTORY_INPUT);
  if (existing !== undefined && !(isObject(existing) && existing.type === "messages")) return json; // theirs, leave it
  const historyPort = { name: HISTORY_INPUT, type: "messages", required: false, default: [] };

  return {
    ...json,
    nodes: json.nodes.map((node) => {
      if (!isObject(node)) return node;
      if (node === start && existing === undefined) {
        const withPort: JsonObject = { ...node, config: { ...startConfig, inputs: [...declared, historyPort] } };
        if (isObject(node.ports) && Array.isArray(node.ports.outputs)) {
          withPort.ports = { ...node.ports, outputs: [...node.ports.outputs, historyPort] };
        }
        return withPort;
      }
      if (!needsHistory(node)) return node;
      const mappings = Array.isArray(node.variable_mappings) ? node.variable_mappings : [];
      return {
        ...node,
        variable_mappings: [...mappings, { target_port: "messages", selector: [start.id, HISTORY_INPUT] }],
      };
    }),
  };
}
