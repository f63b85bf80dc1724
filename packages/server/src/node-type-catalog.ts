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
 * Every node type of the registry, sorted by name, from `registry.describe()` (config schemas by
 * `z.toJSONSchema`). A config may add ports (start inputs, say): these are the default config's.
 *
 * @example
 * const types = describeNodeTypes(createNodeRegistry());
 * types.find((t) => t.type === "llm")?.ports.inputs.map((p) => p.name); // ["query", "context", ...]
 */
export function describeNodeTypes(registry: NodeRegistryV2): NodeTypeEntry[] {
  return registry
    .describe()
    .map((d) => ({
      type: d.type,
      description: d.description,
      ports: { inputs: d.ports.inputs.map(toPort), outputs: d.ports.outputs.map(toPort) },
      config_schema: d.config_schema,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
}
