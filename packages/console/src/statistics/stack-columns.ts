/** One coloured part of a stacked column: `key`'s value, drawn from `y0` to `y1`. */
export interface StackSegment {
  readonly key: string;
  readonly value: number;
  readonly y0: number;
  readonly y1: number;
}

export interface StackedColumn {
  readonly label: string;
  readonly total: number;
  /** Bottom to top, in the order of the keys; zero values left out. */
  readonly segments: readonly StackSegment[];
}

export interface StackedColumns {
  readonly columns: readonly StackedColumn[];
  /** Every key that occurs, in the preferred order first, then the rest alphabetically. */
  readonly keys: readonly string[];
  /** The tallest column's total (at least 1, so an empty chart still has a scale). */
  readonly max: number;
}

/**
 * Stacks per-bucket values (runs by status, tokens by direction) into columns for a bar chart.
 * `preferred` orders the keys it names; keys it does not name (a status added later) follow.
 */
export function stackColumns(
  rows: readonly { readonly label: string; readonly values: Readonly<Record<string, number>> }[],
  preferred: readonly string[],
): StackedColumns {
  const seen = new Set(rows.flatMap((row) => Object.keys(row.values).filter((k) => (row.values[k] ?? 0) > 0)));
  const keys = [...preferred.filter((k) => seen.has(k)), ...[...seen].filter((k) => !preferred.includes(k)).sort()];
  let max = 1;
  const columns = rows.map((row) => {
    let y = 0;
    const segments: StackSegment[] = [];
    for (const key of keys) {
      const value = row.values[key] ?? 0;
      if (value <= 0) continue;
      segments.push({ key, value, y0: y, y1: y + value });
      y += value;
    }
    max = Math.max(max, y);
    return { label: row.label, total: y, segments };
  });
  return { columns, keys, max };
}

/** A bucket start as a short label: `01-04` for a day, `06:00` for an hour (UTC, as the API buckets). */
export function bucketLabel(startIso: string, bucket: "hour" | "day"): string {
  return bucket === "hour" ? startIso.slice(11, 16) : startIso.slice(5, 10);
}
