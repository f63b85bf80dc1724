import { formatJsonPath, type ValueSelector } from "@portflow/engine";
import type { DifyNode, YamlPath } from "./dify-node.ts";
import type { ImportProblem, ImportProblemCode } from "./import-problem.ts";
import type { ConversationVariable, ModelMapping, ReportItem, ReportStatus } from "./import-report.ts";
import { lookUpModel, type ModelMap } from "./model-map.ts";

export type { YamlPath } from "./dify-node.ts";

/** Dify system variables and their Portflow names; `null`: no counterpart. */
const SYSTEM_VARIABLES: Readonly<Record<string, string | null>> = {
  query: "query",
  files: "files",
  user_id: "user_id",
  conversation_id: "session_id",
  app_id: "bot_id",
  workflow_id: "bot_id",
  workflow_run_id: "run_id",
  dialogue_count: null,
};

/** Dify output names that Portflow calls differently, by Dify node type. */
const OUTPUT_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "knowledge-retrieval": { result: "documents" },
};

/** Options of `importDifyDsl`. */
export interface ImportDifyOptions {
  /**
   * Dify model → Portflow `{provider, name}` (see {@link ModelMap}). A model not in the map names
   * no model: the node runs on the server's configured provider and model.
   */
  readonly modelMap?: ModelMap;
  /** Write `conversation_variables` into the workflow (default true; false: listed in the report only). */
  readonly emitConversationVariables?: boolean;
}

/** State shared by the node mappers of one import: problems, report lines, what the file declares. */
export class ImportContext {
  readonly problems: ImportProblem[] = [];
  readonly items: ReportItem[] = [];
  readonly models: ModelMapping[] = [];
  readonly conversationVariables: ConversationVariable[] = [];
  readonly needsNodeTypes = new Set<string>();
  /** Dify node id → Dify node type. */
  readonly nodeTypes = new Map<string, string>();
  readonly env = new Map<string, string>();
  readonly secrets = new Set<string>();
  /** Every parsed Dify node, by id (mappers look at a container's children). */
  readonly difyNodes = new Map<string, DifyNode>();
  /** Dify nodes folded into another node's config; they and their edges are bridged over. */
  readonly absorbed = new Set<string>();

  constructor(
    readonly mode: "workflow" | "advanced-chat",
    readonly options: ImportDifyOptions,
  ) {}

  /** The Dify nodes whose parentId is `id`. */
  children(id: string): DifyNode[] {
    return [...this.difyNodes.values()].filter((n) => n.parentId === id);
  }

  problem(path: YamlPath, code: ImportProblemCode, message: string): void {
    this.problems.push({ path: formatJsonPath(path), code, message });
  }

  report(path: YamlPath, dify: string, status: ReportStatus, notes: readonly string[], portflowType?: string): void {
    const pending = portflowType !== undefined && PENDING_NODE_TYPES.has(portflowType);
    if (pending) this.needsNodeTypes.add(portflowType);
    this.items.push({
      path: formatJsonPath(path),
      dify,
      status,
      ...(portflowType !== undefined && { portflow_type: portflowType }),
      ...(pending && { needs_node_type: portflowType }),
      notes,
    });
  }

  /** The Portflow model id for a Dify model (undefined: the server's), recorded in the report. */
  model(path: YamlPath, provider: string, name: string): string | undefined {
    const mapped = lookUpModel(this.options.modelMap ?? {}, provider, name);
    this.models.push({ path: formatJsonPath(path), provider, name, mapped_to: mapped ?? null });
    return mapped?.name;
  }

  /**
   * A Dify selector (`[node_id, var, ...path]`, `["sys", x]`, `["env", X]`, `["conversation", x]`,
   * or the legacy `[start_id, "sys.query"]`) as a Portflow selector; undefined (with a problem)
   * when it has no counterpart.
   */
  selector(selector: readonly string[], path: YamlPath): ValueSelector | undefined {
    const [head, name, ...rest] = selector;
    if (head === undefined || name === undefined || head === "" || name === "") {
      this.problem(path, "unknown_selector", `selector ${JSON.stringify(selector)} needs a node id and a variable`);
      return undefined;
    }
    if (head === "sys" || name.startsWith("sys.")) {
      const variable = head === "sys" ? name : name.slice(4);
      const mapped = SYSTEM_VARIABLES[variable];
      if (mapped === undefined || mapped === null) {
        this.problem(path, "unsupported_selector", `Portflow has no system variable like Dify's sys.${variable}`);
        return undefined;
      }
      return ["sys", mapped];
    }
    if (head === "env") {
      if (this.secrets.has(name)) return ["secret", name, ...rest];
      if (!this.env.has(name)) {
        this.problem(path, "unknown_selector", `env.${name} is not declared in environment_variables`);
        return undefined;
      }
      return ["env", name, ...rest];
    }
    if (head === "conversation") return ["conversation", name, ...rest];
    const type = this.nodeTypes.get(head);
    if (type === undefined) {
      this.problem(path, "unknown_selector", `selector points to node "${head}", which is not in this file`);
      return undefined;
    }
    if ((type === "variable-aggregator" || type === "variable-assigner") && rest[0] === "output") {
      return [head, name, ...rest.slice(1)]; // a group's output: [id, group, "output"] → [id, group]
    }
    return [head, OUTPUT_RENAMES[type]?.[name] ?? name, ...rest];
  }
}

/** Portflow node types this importer emits that Portflow does not have yet. */
export const PENDING_NODE_TYPES: ReadonlySet<string> = new Set(["document-extractor"]);
