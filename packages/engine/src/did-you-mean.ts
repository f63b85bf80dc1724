/**
 * Edit distance with adjacent transpositions (optimal string alignment): `temprature` →
 * `temperature` is 1, `contxt` → `context` is 1, `qeury` → `query` is 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (d[(i - 1) * cols + j] as number) + 1,
        (d[i * cols + j - 1] as number) + 1,
        (d[(i - 1) * cols + j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (d[(i - 2) * cols + j - 2] as number) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] as number;
}

/** Names further apart than this are not offered as a correction. */
const MAX_DISTANCE = 2;

/**
 * The candidate closest to `name` within two edits (case-insensitive), or undefined.
 *
 * @example
 * didYouMean("temprature", ["temperature", "top_p"]); // "temperature"
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === name) continue;
    // short names: one edit turns "a" into anything
    const limit = Math.min(MAX_DISTANCE, Math.max(1, Math.floor(candidate.length / 3)));
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * ` (did you mean "x"?)` when a close candidate exists, then the known names:
 * `; known: a, b` — the tail of a problem message about an unknown name.
 */
export function unknownNameHint(name: string, candidates: readonly string[], noun = "known"): string {
  const close = didYouMean(name, candidates);
  const list = candidates.length > 0 ? `${noun}: ${candidates.join(", ")}` : `${noun}: none`;
  return close !== undefined ? ` — did you mean "${close}"? (${list})` : ` (${list})`;
}
