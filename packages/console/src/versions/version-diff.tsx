import { useMemo, useState } from "react";
import type { WorkflowVersion } from "../api/api-types.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { workflowGraphModel } from "../graph/workflow-graph-model.ts";
import { diffGraphs } from "./diff-graphs.ts";
import { foldUnchanged, sideBySideLines } from "./side-by-side-lines.ts";
import { stableJson } from "./stable-json.ts";

interface VersionDiffProps {
  /** Every version that can be compared, the draft included. */
  readonly versions: readonly WorkflowVersion[];
  readonly nameOf: (version: WorkflowVersion) => string;
}

/** Two versions side by side: what changed per node and edge, both graphs coloured, the JSON line by line. */
export function VersionDiff({ versions, nameOf }: VersionDiffProps) {
  // default: the one before the newest against the newest (the draft when there is one)
  const [leftId, setLeftId] = useState(() => versions[1]?.id ?? versions[0]?.id ?? "");
  const [rightId, setRightId] = useState(() => versions[0]?.id ?? "");
  const left = versions.find((v) => v.id === leftId) ?? null;
  const right = versions.find((v) => v.id === rightId) ?? null;
  const diff = useMemo(() => (left && right ? diffGraphs(left.graph, right.graph) : null), [left, right]);
  const rows = useMemo(
    () => (left && right ? foldUnchanged(sideBySideLines(stableJson(left.graph), stableJson(right.graph))) : []),
    [left, right],
  );
  const leftModel = useMemo(() => (left ? workflowGraphModel(left.graph) : null), [left]);
  const rightModel = useMemo(() => (right ? workflowGraphModel(right.graph) : null), [right]);

  if (versions.length < 2)
    return (
      <EmptyState title="Nothing to compare yet">A diff needs two versions (or a version and the draft).</EmptyState>
    );
  const picker = (label: string, value: string, onChange: (id: string) => void) => (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {nameOf(v)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="version-diff" data-testid="version-diff">
      <div className="toolbar">
        {picker("Compare", leftId, setLeftId)}
        {picker("with", rightId, setRightId)}
      </div>
      {diff !== null && left !== null && right !== null && leftModel !== null && rightModel !== null && (
        <>
          {diff.nodes.length === 0 && diff.edges.length === 0 ? (
            <p data-testid="diff-summary">
              {left.id === right.id ? "The same version on both sides." : "The graphs are the same."}
            </p>
          ) : (
            <ul className="diff-summary" data-testid="diff-summary">
              {diff.nodes.map((n) => (
                <li key={`${n.kind}:${n.id}`} className={`diff-${n.kind}`} data-testid="diff-node">
                  <strong>{n.kind}</strong> node <code>{n.id}</code> ({n.type})
                  {n.fields.length > 0 && `: ${n.fields.join(", ")}`}
                </li>
              ))}
              {diff.edges.map((e) => (
                <li key={`${e.kind}:${e.key}`} className={`diff-${e.kind}`}>
                  <strong>{e.kind}</strong> edge <code>{e.key}</code>
                </li>
              ))}
            </ul>
          )}
          <div className="diff-graphs">
            <WorkflowGraph model={leftModel} statuses={diff.left} label={`Graph of ${nameOf(left)} (left)`} />
            <WorkflowGraph model={rightModel} statuses={diff.right} label={`Graph of ${nameOf(right)} (right)`} />
          </div>
          <table className="json-diff" data-testid="json-diff">
            <caption className="sr-only">
              JSON of {nameOf(left)} and {nameOf(right)}, line by line
            </caption>
            <colgroup>
              <col className="ln-col" />
              <col />
              <col className="ln-col" />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th scope="col" colSpan={2}>
                  {nameOf(left)}
                </th>
                <th scope="col" colSpan={2}>
                  {nameOf(right)}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) =>
                row.kind === "folded" ? (
                  <tr key={`fold-${row.from}`} className="diff-folded">
                    <td colSpan={4}>… {row.count} unchanged lines</td>
                  </tr>
                ) : (
                  <tr
                    key={`${row.left?.number ?? "-"}:${row.right?.number ?? "-"}`}
                    className={`diff-${row.kind}`}
                    data-testid={row.kind === "same" ? undefined : "diff-line"}
                  >
                    <td className="ln">{row.left?.number}</td>
                    <td className="code">{row.left?.text}</td>
                    <td className="ln">{row.right?.number}</td>
                    <td className="code">{row.right?.text}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
