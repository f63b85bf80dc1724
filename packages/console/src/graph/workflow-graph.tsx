import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import { useEffect, useMemo } from "react";
import type { Problem } from "../api/api-types.ts";
import { layoutGraph } from "./layout-graph.ts";
import type { MappedProblems } from "./map-problems.ts";
import type { GraphModel } from "./workflow-graph-model.ts";

type FlowNodeData = {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly title: string | null;
  readonly status: string | null;
  readonly problems: readonly Problem[];
  readonly container: boolean;
  readonly selected: boolean;
};
type FlowNode = Node<FlowNodeData, "workflow">;

function WorkflowNodeView({ data }: NodeProps<FlowNode>) {
  const classes = [
    "wf-node",
    data.container ? "wf-container" : "",
    data.status !== null ? `status-${data.status}` : "",
    data.problems.length > 0 ? "has-problems" : "",
    data.selected ? "selected" : "",
  ];
  return (
    <div className={classes.join(" ")} data-testid="graph-node" data-node-id={data.nodeId}>
      <Handle type="target" position={Position.Left} />
      <div className="wf-node-head">
        <strong>{data.title ?? data.nodeId}</strong> <span className="muted">{data.nodeType}</span>
      </div>
      {data.status !== null && <div className="wf-node-status">{data.status}</div>}
      {data.problems.length > 0 && (
        <ul className="wf-node-problems" data-testid="node-problems">
          {data.problems.map((p) => (
            <li key={`${p.path}:${p.code}:${p.message}`} title={p.path}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const NODE_TYPES = { workflow: WorkflowNodeView };

/** Fits the graph again when its pane is resized (the inspector opens) or it shows other nodes. */
function FitOnResize() {
  const { fitView } = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const nodeCount = useStore((s) => s.nodeLookup.size);
  useEffect(() => {
    if (width > 0 && height > 0 && nodeCount > 0) void fitView();
  }, [width, height, nodeCount, fitView]);
  return null;
}

interface WorkflowGraphProps {
  readonly model: GraphModel;
  /** colour nodes by their run status */
  readonly statuses?: ReadonlyMap<string, string>;
  readonly problems?: MappedProblems;
  readonly selectedNodeId?: string | null;
  readonly onSelectNode?: (nodeId: string) => void;
  readonly label: string;
}

/** A workflow drawn with React Flow, laid out by dagre; bodies drawn inside their containers. */
export function WorkflowGraph({ model, statuses, problems, selectedNodeId, onSelectNode, label }: WorkflowGraphProps) {
  const laidOut = useMemo(() => layoutGraph(model), [model]);
  const nodes = useMemo(
    (): FlowNode[] =>
      laidOut.map((n) => ({
        id: n.node.id,
        type: "workflow",
        position: { x: n.x, y: n.y },
        ...(n.parentId !== null && { parentId: n.parentId, extent: "parent" as const }),
        style: { width: n.width, height: n.height },
        draggable: false,
        connectable: false,
        ariaLabel: `${n.node.id} (${n.node.type})${statuses?.has(n.node.id) ? `: ${statuses.get(n.node.id)}` : ""}`,
        data: {
          nodeId: n.node.id,
          nodeType: n.node.type,
          title: n.node.title,
          status: statuses?.get(n.node.id) ?? null,
          problems: problems?.byNode.get(n.node.id) ?? [],
          container: n.container,
          selected: selectedNodeId === n.node.id,
        },
      })),
    [laidOut, statuses, problems, selectedNodeId],
  );
  const edges = useMemo(
    (): Edge[] =>
      model.edges.map((e) => {
        const edgeProblems = problems?.byEdge.get(e.id) ?? [];
        const text = [e.label, ...edgeProblems.map((p) => `⚠ ${p.message}`)].filter((t) => t !== null).join(" · ");
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          markerEnd: { type: MarkerType.ArrowClosed },
          ...(text !== "" && { label: text }),
          ...(edgeProblems.length > 0 && { className: "edge-problem" }),
        };
      }),
    [model, problems],
  );
  return (
    <figure className="graph" aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_event, node) => onSelectNode?.(node.id)}
        // Tab reaches each node (React Flow makes them focusable); Enter or Space opens it
        onKeyDown={(event) => {
          if (event.key !== "Enter" && event.key !== " ") return;
          const target = event.target instanceof Element ? event.target.closest(".react-flow__node") : null;
          const id = target?.getAttribute("data-id");
          if (id !== null && id !== undefined) {
            event.preventDefault();
            onSelectNode?.(id);
          }
        }}
      >
        <Background />
        <Controls showInteractive={false} />
        <FitOnResize />
      </ReactFlow>
    </figure>
  );
}
