import {
  isWorkflowV2Json,
  type NodeRegistryV2,
  UnknownV1NodeTypesError,
  upgradeV1Workflow,
  validateWorkflow,
} from "@portflow/engine";

/** One problem of a workflow file, with its JSON path (`""` for the whole workflow). */
export interface WorkflowCheckProblem {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export interface WorkflowCheck {
  readonly schemaVersion: 1 | 2;
  readonly nodes: number;
  readonly edges: number;
  readonly problems: readonly WorkflowCheckProblem[];
}

function count(json: unknown, key: "nodes" | "edges"): number {
  const list = (json as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? list.length : 0;
}

/**
 * Every problem of V1 or V2 workflow JSON. V2 is validated against the registry; V1 is checked for
 * its structure and then, upgraded to V2 the way `migrate-v1` does, against the registry too (those
 * problems say so; their node indexes are the V1 file's).
 */
export function checkWorkflow(json: unknown, registry: NodeRegistryV2): WorkflowCheck {
  const schemaVersion = isWorkflowV2Json(json) ? 2 : 1;
  const shape = { schemaVersion, nodes: count(json, "nodes"), edges: count(json, "edges") } as const;
  const validation = validateWorkflow(json, registry);
  const problems: WorkflowCheckProblem[] = [...validation.problems];
  if (schemaVersion === 1 && problems.length === 0) {
    try {
      const upgraded = validateWorkflow(upgradeV1Workflow(json), registry);
      for (const p of upgraded.problems) problems.push({ ...p, message: `once upgraded to V2: ${p.message}` });
    } catch (error) {
      if (!(error instanceof UnknownV1NodeTypesError) && !(error instanceof Error && error.name === "ZodError")) {
        throw error;
      }
      problems.push({ path: "", code: "invalid_v1", message: error.message });
    }
  }
  return { ...shape, problems };
}
