/**
 * What every registered node type takes and gives: the one description `GET /api/v1/node-types`
 * answers and `portflow nodes list` prints.
 * @module
 */
import type { NodeRegistryV2, PortDefinition } from "@portflow/engine";

/** One port, as JSON. */
export interface NodeTypePort {
  readonly name: string;
  readonly type: PortDefinition["type"];
  readonly required: boolean;
  readonly default?: unknown;
  readonly description?: string;
}

/** One node type: its ports for the default config and the JSON Schema (2020-12) of its config. */
export interface NodeTypeEntry {
  readonly type: string;
  readonly description: string;
  readonly ports: { readonly inputs: readonly NodeTypePort[]; readonly outputs: readonly NodeTypePort[] };
  readonly config_schema: Readonly<Record<string, unknown>>;
}

/** Registered by the V1 adapter to run legacy nodes; not a type to write in workflow JSON. */
const INTERNAL_NODE_TYPES: ReadonlySet<string> = new Set(["v1-node"]);

function toPort(port: PortDefinition): NodeTypePort {
  return {
    name: port.name,
    type: port.type,
    required: port.required === true,
    ...(port.default !== undefined && { default: port.default }),
    ...(port.description !== undefined && { description: port.description }),
  };
}

/**
 * Every node type of the registry a workflow can use, sorted by name, from `registry.describe()`
 * (config schemas by `z.toJSONSchema`). A config may add ports (start inputs, say): these are the
 * default config's. The V1 adapter's internal `v1-node` is left out.
 *
 * @example
 * const types = describeNodeTypes(createNodeRegistry());
 * types.find((t) => t.type === "llm")?.ports.inputs.map((p) => p.name); // ["query", "context", ...]
 */
export function describeNodeTypes(registry: NodeRegistryV2): NodeTypeEntry[] {
  return registry
    .describe()
    .filter((d) => !INTERNAL_NODE_TYPES.has(d.type))
    .map((d) => ({
      type: d.type,
      description: d.description,
      ports: { inputs: d.ports.inputs.map(toPort), outputs: d.ports.outputs.map(toPort) },
      config_schema: d.config_schema,
    }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
