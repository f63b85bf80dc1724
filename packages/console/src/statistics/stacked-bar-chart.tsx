import type { StackedColumns } from "./stack-columns.ts";

interface StackedBarChartProps {
  readonly data: StackedColumns;
  /** The chart's accessible name, e.g. "Runs per day by status". */
  readonly title: string;
  /** What one unit is, for tooltips: "runs", "tokens". */
  readonly unit: string;
  /** A fill colour per key. */
  readonly colours: Readonly<Record<string, string>>;
  readonly testId?: string;
}

const WIDTH = 1000;
const HEIGHT = 160;
const AXIS = 36;
/** Room for one axis label ("11-25", "06:00"). */
const LABEL_WIDTH = 56;

/**
 * Stacked columns in plain SVG (no chart library: a few rectangles do not justify its bytes).
 * Each segment has a tooltip; the legend names every colour, so colour is never the only cue.
 */
export function StackedBarChart({ data, title, unit, colours, testId }: StackedBarChartProps) {
  // the columns share the width; the SVG scales with the page
  const slot = (WIDTH - AXIS) / Math.max(1, data.columns.length);
  const bar = Math.min(48, slot * 0.7);
  const y = (value: number) => HEIGHT - (value / data.max) * HEIGHT;
  // label every n-th column so the labels never overlap
  const every = Math.max(1, Math.ceil(LABEL_WIDTH / slot));
  const total = data.columns.reduce((sum, c) => sum + c.total, 0);
  return (
    <figure className="chart" data-testid={testId}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 22}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-label={`${title}: ${total} ${unit} in ${data.columns.length} buckets, at most ${data.max} in one`}
      >
        <text x={AXIS - 4} y={10} textAnchor="end" className="chart-axis">
          {data.max}
        </text>
        <text x={AXIS - 4} y={HEIGHT} textAnchor="end" className="chart-axis">
          0
        </text>
        <line x1={AXIS} x2={WIDTH} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} className="chart-baseline" />
        {data.columns.map((column, i) => {
          const x = AXIS + i * slot + (slot - bar) / 2;
          return (
            <g key={column.label} data-testid="chart-column" data-total={column.total}>
              {column.segments.map((s) => (
                <rect
                  key={s.key}
                  x={x}
                  width={bar}
                  y={y(s.y1)}
                  height={Math.max(1, y(s.y0) - y(s.y1))}
                  fill={colours[s.key] ?? "#6e7781"}
                >
                  <title>{`${column.label}: ${s.value} ${s.key}`}</title>
                </rect>
              ))}
              {i % every === 0 && (
                <text x={x + bar / 2} y={HEIGHT + 16} textAnchor="middle" className="chart-axis">
                  {column.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="sr-only">{title}. </span>
        {data.keys.length === 0 ? (
          <span className="muted">Nothing in this window.</span>
        ) : (
          <ul className="legend">
            {data.keys.map((key) => (
              <li key={key}>
                <span className="swatch" style={{ background: colours[key] ?? "#6e7781" }} aria-hidden="true" />
                {key}
              </li>
            ))}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}
