import { MAX_WORKFLOW_NODES, type WorkflowV2Json } from "@portflow/engine";
import { difyFileSchema, difyNodeSchema, parseAt } from "./dify-dsl-schema.ts";
import type { DifyNode, PortflowNode } from "./dify-node.ts";
import { ImportContext, type ImportDifyOptions } from "./import-context.ts";
import type { ImportProblem } from "./import-problem.ts";
import type { ConversationVariable, ImportReport, ReportStatus } from "./import-report.ts";
import { mapEdges } from "./map-edges.ts";
import type { NodeMapping } from "./node-mapper.ts";
import { NODE_MAPPERS } from "./node-mappers.ts";
import { parseDifyYaml } from "./parse-dify-yaml.ts";
import { describeUnsupported, UNSUPPORTED_TYPES } from "./unsupported-node.ts";
import { readConversationVariables, readEnvironment } from "./workflow-variables.ts";

/** A V2 workflow made from a Dify file; `conversation_variables` unless `emitConversationVariables` is false. */
export type ImportedWorkflow = WorkflowV2Json & { conversation_variables?: ConversationVariable[] };

/** The outcome of an import: the workflow (absent when the file was refused), every problem, the report. */
export interface DifyImport {
  readonly workflow?: ImportedWorkflow;
  readonly problems: readonly ImportProblem[];
  readonly report: ImportReport;
}

const SUPPORTED_MODES = new Set(["workflow", "advanced-chat"]);
const OTHER_MODES: Readonly<Record<string, string>> = {
  chat: "a basic chatbot",
  completion: "a text generator",
  "agent-chat": "an agent",
};
/** Containers first, so that a loop can fold its body's assigners before they are mapped. */
const ORDER = (type: string) => (type === "loop" || type === "iteration" ? 0 : 1);

/** File-level items first, then nodes in file order (containers were mapped first). */
function nodeIndex(path: string): number {
  const match = /^workflow\.graph\.nodes\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : -1;
}

function emptyReport(ctx: ImportContext | undefined, app?: ImportReport["app"]): ImportReport {
  const items = [...(ctx?.items ?? [])].sort((a, b) => nodeIndex(a.path) - nodeIndex(b.path));
  const summary: Record<ReportStatus, number> = { mapped: 0, approximated: 0, dropped: 0, unsupported: 0 };
  for (const item of items) summary[item.status]++;
  return {
    ...(app && { app }),
    items,
    summary,
    env: ctx ? [...ctx.env.keys()] : [],
    secrets: ctx ? [...ctx.secrets] : [],
    conversation_variables: ctx?.conversationVariables ?? [],
    conversation_variables_emitted:
      ctx?.options.emitConversationVariables !== false && (ctx?.conversationVariables.length ?? 0) > 0,
    models: ctx?.models ?? [],
    needs_node_types: ctx ? [...ctx.needsNodeTypes].sort() : [],
  };
}

function refused(problem: ImportProblem): DifyImport {
  return { problems: [problem], report: emptyReport(undefined) };
}

/** The features Dify keeps for its own chat UI, named for the report. */
function featureNames(features: unknown): string[] {
  if (typeof features !== "object" || features === null) return [];
  return Object.entries(features as Record<string, unknown>)
    .filter(([, v]) => v !== "" && v !== null && !(Array.isArray(v) && v.length === 0))
    .filter(([, v]) => typeof v !== "object" || Array.isArray(v) || (v as { enabled?: unknown }).enabled !== false)
    .map(([k]) => k);
}

/**
 * Imports a Dify DSL file (YAML export of a `workflow` or `advanced-chat` app) as a Portflow V2
 * workflow. Never throws: a file that is not a Dify app, malformed YAML, or nodes Portflow cannot
 * run (tools, agents) give no workflow and problems saying why; everything else gives the
 * workflow, the problems found on the way, and a report of what was mapped, approximated and
 * dropped.
 *
 * @example
 * const { workflow, problems, report } = importDifyDsl(readFileSync("app.yml", "utf8"), {
 *   modelMap: { "openai/gpt-4o": { provider: "bedrock", name: "anthropic.claude-haiku-4-5-20251001-v1:0" } },
 * });
 */
export function importDifyDsl(text: string, options: ImportDifyOptions = {}): DifyImport {
  try {
    return importOrRefuse(text, options);
  } catch (error) {
    // A bug here must not take the caller down; tests assert this is never reached.
    return refused({ path: "$", code: "internal_error", message: `the importer failed: ${(error as Error).message}` });
  }
}

function importOrRefuse(text: string, options: ImportDifyOptions): DifyImport {
  if (typeof text !== "string")
    return refused({ path: "$", code: "invalid_yaml", message: "expected the YAML text of a Dify file" });
  const yaml = parseDifyYaml(text);
  if (!yaml.ok) return { problems: yaml.problems, report: emptyReport(undefined) };
  const file = difyFileSchema.safeParse(yaml.value);
  if (!file.success || typeof yaml.value !== "object" || yaml.value === null || Array.isArray(yaml.value)) {
    return refused({
      path: "$",
      code: "not_dify_app",
      message: "this is not a Dify DSL file: expected a mapping with kind, app and workflow",
    });
  }
  const dsl = file.data;
  if (dsl.kind !== "app") {
    return refused({
      path: "kind",
      code: "not_dify_app",
      message: `this is not a Dify app export: kind is ${dsl.kind === undefined ? "missing" : `"${dsl.kind}"`}, expected "app"`,
    });
  }
  const mode = dsl.app?.mode;
  if (mode === undefined || !SUPPORTED_MODES.has(mode)) {
    const what =
      mode === undefined ? "has no app.mode" : `is ${OTHER_MODES[mode] ?? `a "${mode}" app`} (app.mode "${mode}")`;
    return refused({
      path: "app.mode",
      code: mode === undefined ? "not_dify_app" : "unsupported_app_mode",
      message: `this Dify app ${what}: only workflow and chatflow (advanced-chat) apps have a workflow graph to import`,
    });
  }
  const graph = dsl.workflow?.graph;
  if (graph === undefined) {
    return refused({
      path: "workflow.graph",
      code: "missing_graph",
      message: "this Dify app has no workflow.graph to import",
    });
  }
  const app = { name: dsl.app?.name ?? "", mode, ...(dsl.version !== undefined && { dsl_version: dsl.version }) };
  if (graph.nodes.length > MAX_WORKFLOW_NODES) {
    return {
      problems: [
        {
          path: "workflow.graph.nodes",
          code: "invalid_dsl",
          message: `a workflow may have at most ${MAX_WORKFLOW_NODES} nodes, this file has ${graph.nodes.length}`,
        },
      ],
      report: emptyReport(undefined, app),
    };
  }

  const ctx = new ImportContext(mode as "workflow" | "advanced-chat", options);
  readEnvironment(dsl.workflow?.environment_variables, ctx);
  readConversationVariables(dsl.workflow?.conversation_variables, ctx);
  const features = featureNames(dsl.workflow?.features);
  if (features.length > 0) {
    ctx.report(["workflow", "features"], "features", "dropped", [`UI-only, not imported: ${features.join(", ")}`]);
  }

  // Nodes: sticky notes are dropped; the rest parsed and indexed before any is mapped.
  const removed = new Set<string>();
  graph.nodes.forEach((raw, i) => {
    const path = ["workflow", "graph", "nodes", i];
    if ((raw as { type?: unknown } | null)?.type === "custom-note") {
      ctx.report(path, "sticky note", "dropped", ["editor-only note"]);
      return;
    }
    const parsed = parseAt(difyNodeSchema, raw, path, ctx);
    if (parsed === undefined) return;
    if (ctx.difyNodes.has(parsed.id)) {
      ctx.problem([...path, "id"], "duplicate_id", `node id "${parsed.id}" is used twice`);
      return;
    }
    const x = parsed.position?.x;
    const y = parsed.position?.y;
    const node: DifyNode = {
      id: parsed.id,
      type: parsed.data.type,
      title: parsed.data.title ?? "",
      ...(parsed.parentId !== undefined && parsed.parentId !== null && { parentId: parsed.parentId }),
      ...(typeof x === "number" &&
        typeof y === "number" &&
        Number.isFinite(x) &&
        Number.isFinite(y) && { position: { x, y } }),
      data: parsed.data,
      path,
    };
    ctx.difyNodes.set(node.id, node);
    ctx.nodeTypes.set(node.id, node.type);
  });

  let refusedNodes = 0;
  const mappings = new Map<string, NodeMapping>();
  const ordered = [...ctx.difyNodes.values()].sort((a, b) => ORDER(a.type) - ORDER(b.type));
  for (const node of ordered) {
    const label = `${node.type} "${node.title}"`;
    if (ctx.absorbed.has(node.id)) {
      removed.add(node.id);
      continue;
    }
    if (node.type === "loop-end") {
      removed.add(node.id);
      ctx.report(node.path, label, "dropped", ["Portflow loops stop by break conditions or max_iterations"]);
      continue;
    }
    if (UNSUPPORTED_TYPES.has(node.type) || NODE_MAPPERS[node.type] === undefined) {
      refusedNodes++;
      const known = UNSUPPORTED_TYPES.has(node.type);
      ctx.problem(
        known ? node.path : [...node.path, "data", "type"],
        known ? "unsupported_node" : "unknown_node_type",
        describeUnsupported(node),
      );
      ctx.report(node.path, label, "unsupported", [known ? "cannot run here" : "unknown Dify node type"]);
      continue;
    }
    const mapping = (NODE_MAPPERS[node.type] as NonNullable<(typeof NODE_MAPPERS)[string]>)(node, ctx);
    if (mapping === undefined) {
      ctx.report(node.path, label, "dropped", ["its data could not be read (see problems)"]);
      continue;
    }
    mappings.set(node.id, mapping);
    ctx.report(
      node.path,
      label,
      mapping.notes.length > 0 ? "approximated" : "mapped",
      mapping.notes,
      mapping.portflowType.split(" ")[0],
    );
  }

  const nodes: PortflowNode[] = [];
  for (const node of ctx.difyNodes.values()) nodes.push(...(mappings.get(node.id)?.nodes ?? []));
  if (nodes.some((n) => n.position !== undefined)) {
    ctx.report(["workflow", "graph", "nodes"], "node positions", "mapped", [
      "kept as editor metadata `position` on each node; viewport dropped",
    ]);
  }
  const edges = mapEdges(graph.edges ?? [], mappings, removed, new Set(nodes.map((n) => n.id)), ctx);
  const report = emptyReport(ctx, app);
  if (refusedNodes > 0) return { problems: ctx.problems, report };

  const workflow: ImportedWorkflow = {
    schema_version: 2,
    ...(app.name !== "" && { name: app.name }),
    ...(typeof dsl.app?.description === "string" && dsl.app.description !== "" && { description: dsl.app.description }),
    nodes,
    edges,
    ...(ctx.env.size > 0 && { env: Object.fromEntries(ctx.env) }),
    ...(report.conversation_variables_emitted && { conversation_variables: [...ctx.conversationVariables] }),
  };
  return { workflow, problems: ctx.problems, report };
}
