import type { NodeExecution } from "../api/api-types.ts";

/** One bar of the run waterfall: one node execution, placed on the run's time axis. */
export interface TimelineBar {
  readonly execution: NodeExecution;
  /** ms from the run's first start to this execution's start */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** 0 for top-level nodes; 1 inside an iteration/loop body; deeper for nested bodies */
  readonly depth: number;
  /** e.g. `answer`, `summarise #2` (round 2 of its container, counted from 1) */
  readonly label: string;
  readonly skipped: boolean;
}

export interface Timeline {
  readonly bars: readonly TimelineBar[];
  /** ms from the first start to the last finish (at least 1, so widths can be divided by it) */
  readonly spanMs: number;
  readonly startedAt: number;
}

/**
 * Lays node executions out as a waterfall: one bar per execution (every attempt record, every
 * iteration round), in start order (ties by step index), nested under their container by
 * `parent_node_id`. Skipped nodes keep a zero-width bar so they stay visible.
 */
export function buildTimeline(executions: readonly NodeExecution[], runStartedAt?: string): Timeline {
  const starts = executions.map((e) => Date.parse(e.started_at)).filter(Number.isFinite);
  const runStart = runStartedAt === undefined ? Number.NaN : Date.parse(runStartedAt);
  const origin = Math.min(...starts, ...(Number.isFinite(runStart) ? [runStart] : []));
  if (!Number.isFinite(origin)) return { bars: [], spanMs: 1, startedAt: 0 };
  const parentOf = new Map<string, string | null>();
  for (const e of executions) if (!parentOf.has(e.node_id)) parentOf.set(e.node_id, e.parent_node_id);
  const depthOf = (nodeId: string): number => {
    let depth = 0;
    const seen = new Set<string>();
    for (let parent = parentOf.get(nodeId) ?? null; parent !== null && !seen.has(parent); ) {
      seen.add(parent);
      depth += 1;
      parent = parentOf.get(parent) ?? null;
    }
    return depth;
  };
  const sorted = [...executions].sort(
    (a, b) => Date.parse(a.started_at) - Date.parse(b.started_at) || a.step_index - b.step_index,
  );
  let end = origin + 1;
  const bars = sorted.map((execution): TimelineBar => {
    const start = Date.parse(execution.started_at);
    const finish = Math.max(start, Date.parse(execution.finished_at));
    end = Math.max(end, finish);
    const round = execution.iteration_index === null ? "" : ` #${execution.iteration_index + 1}`;
    return {
      execution,
      offsetMs: start - origin,
      durationMs: finish - start,
      depth: depthOf(execution.node_id),
      label: `${execution.node_id}${round}`,
      skipped: execution.status === "skipped",
    };
  });
  return { bars, spanMs: Math.max(1, end - origin), startedAt: origin };
}

/** Ticks for the time axis: about `count` round values from 0 to `spanMs`. */
export function timeTicks(spanMs: number, count = 5): number[] {
  const raw = spanMs / count;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}
