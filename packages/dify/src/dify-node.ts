import type { WorkflowV2Json } from "@portflow/engine";

/** A YAML path as segments: `["workflow", "graph", "nodes", 3]`. */
export type YamlPath = readonly (string | number)[];

/** One Dify graph node, as the mappers see it. */
export interface DifyNode {
  readonly id: string;
  /** `data.type`: `llm`, `if-else`, … */
  readonly type: string;
  readonly title: string;
  readonly parentId?: string;
  readonly position?: { readonly x: number; readonly y: number };
  readonly data: Readonly<Record<string, unknown>>;
  /** YAML path of the node: `["workflow", "graph", "nodes", 3]`. */
  readonly path: YamlPath;
}

/** One node of the Portflow workflow being built. */
export type PortflowNode = WorkflowV2Json["nodes"][number];
