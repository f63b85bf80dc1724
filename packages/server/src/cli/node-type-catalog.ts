/**
 * Every node type a registry holds, with its ports (for the default config) and its config as a
 * JSON Schema: what `portflow nodes list` prints.
 * @module
 */
import type { NodeRegistryV2, NodeTypeDescription } from "@portflow/engine";

/** The registry's node types in name order, each with ports and config JSON Schema (`z.toJSONSchema`). */
export function describeNodeTypes(registry: NodeRegistryV2): NodeTypeDescription[] {
  return registry.describe().sort((a, b) => a.type.localeCompare(b.type));
}
