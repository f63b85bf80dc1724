import { z } from "zod";
import type { AnyNode, BaseNodeV2 } from "./base-node.ts";
import type { NodePortSchema } from "./port-definition.ts";

export interface NodeTypeDescription {
  readonly type: string;
  readonly description: string;
  /** Ports for the default config (a config may add ports, e.g. start inputs). */
  readonly ports: NodePortSchema;
  readonly config_schema: Record<string, unknown>;
}

/**
 * Node types by name.
 *
 * @example
 * const registry = new NodeRegistryV2().register(new TemplateNode());
 * registry.get("template");
 */
export class NodeRegistryV2 {
  readonly #nodes = new Map<string, AnyNode>();

  register<C, I extends Record<string, unknown>, O extends Record<string, unknown>>(node: BaseNodeV2<C, I, O>): this {
    if (this.#nodes.has(node.type)) throw new Error(`node type "${node.type}" is already registered`);
    this.#nodes.set(node.type, node as unknown as AnyNode);
    return this;
  }

  get(type: string): AnyNode | undefined {
    return this.#nodes.get(type);
  }

  has(type: string): boolean {
    return this.#nodes.has(type);
  }

  types(): string[] {
    return [...this.#nodes.keys()];
  }

  /** Every type with its ports and config JSON Schema, for editors and docs. */
  describe(): NodeTypeDescription[] {
    return [...this.#nodes.values()].map((node) => {
      const parsed = node.configSchema.safeParse({});
      return {
        type: node.type,
        description: node.description,
        ports: parsed.success ? node.ports(parsed.data) : { inputs: [], outputs: [] },
        config_schema: z.toJSONSchema(node.configSchema, { io: "input", unrepresentable: "any" }) as Record<
          string,
          unknown
        >,
      };
    });
  }
}
