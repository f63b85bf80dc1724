import type { NodeExecution } from "../api/api-types.ts";
import { formatMs } from "../components/format.ts";
import { buildTimeline, timeTicks } from "../timeline/build-timeline.ts";
import { outcomeLabels } from "./outcome-labels.ts";

interface WaterfallProps {
  readonly executions: readonly NodeExecution[];
  readonly runStartedAt: string;
  readonly selectedId: string | null;
  readonly onSelect: (execution: NodeExecution) => void;
}

/** The run's node executions as a waterfall: one bar per execution, nested by container. */
export function Waterfall({ executions, runStartedAt, selectedId, onSelect }: WaterfallProps) {
  const timeline = buildTimeline(executions, runStartedAt);
  const pct = (ms: number) => `${(ms / timeline.spanMs) * 100}%`;
  return (
    <section className="waterfall" aria-label="Timeline of node executions">
      <div className="waterfall-axis" aria-hidden="true">
        {timeTicks(timeline.spanMs).map((t) => (
          <span key={t} style={{ left: pct(t) }}>
            {formatMs(t)}
          </span>
        ))}
      </div>
      <ol>
        {timeline.bars.map((bar) => {
          const e = bar.execution;
          // the button's name is its visible text plus the status (axe: the name contains what is shown)
          const hidden = `, ${e.status}${e.attempts > 1 ? `, ${e.attempts} attempts` : ""}, `;
          const selected = e.id !== null && selectedId === e.id;
          const outcomes = outcomeLabels(e);
          return (
            <li key={e.id ?? `${e.node_id}:${e.step_index}`}>
              <button
                type="button"
                className={`waterfall-row${selected ? " selected" : ""}`}
                data-testid="timeline-bar"
                data-node-id={e.node_id}
                aria-pressed={selected}
                onClick={() => onSelect(e)}
              >
                <span className="waterfall-label" style={{ paddingLeft: `${bar.depth * 16}px` }}>
                  {bar.label}
                  <span className="muted"> {e.node_type}</span>
                  {e.attempts > 1 && <span className="attempts"> ×{e.attempts}</span>}
                  {outcomes.length > 0 && (
                    <span className="outcome" data-testid="timeline-outcome">
                      {" "}
                      {outcomes.join(", ")}
                    </span>
                  )}
                  <span className="sr-only">{hidden}</span>
                </span>
                <span className="waterfall-track">
                  <span
                    className={`waterfall-bar status-${e.status}${bar.skipped ? " skipped" : ""}`}
                    style={{ left: pct(bar.offsetMs), width: bar.skipped ? "2px" : `max(2px, ${pct(bar.durationMs)})` }}
                  />
                </span>
                <span className="waterfall-ms">{bar.skipped ? "skipped" : formatMs(bar.durationMs)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
