import { diffLines } from "diff";

/** One row of a side-by-side text diff: a line on each side (or none), and how they relate. */
export interface DiffRow {
  readonly kind: "same" | "changed" | "removed" | "added";
  readonly left: { readonly number: number; readonly text: string } | null;
  readonly right: { readonly number: number; readonly text: string } | null;
}

/** Unchanged rows folded away: `count` lines starting at left line `from`. */
export interface FoldedRows {
  readonly kind: "folded";
  readonly count: number;
  readonly from: number;
}

function lines(text: string): string[] {
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

/**
 * Aligns two texts line by line (jsdiff's line diff): a removed block followed by an added one
 * pairs up as `changed` rows; what is left over stays alone on its side.
 */
export function sideBySideLines(leftText: string, rightText: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let l = 1;
  let r = 1;
  const changes = diffLines(leftText, rightText);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    if (change === undefined) continue;
    const text = lines(change.value);
    if (!change.added && !change.removed) {
      for (const line of text)
        rows.push({ kind: "same", left: { number: l++, text: line }, right: { number: r++, text: line } });
      continue;
    }
    const next = changes[i + 1];
    if (change.removed && next?.added) {
      const added = lines(next.value);
      for (let k = 0; k < Math.max(text.length, added.length); k++) {
        const a = text[k];
        const b = added[k];
        rows.push({
          kind: a !== undefined && b !== undefined ? "changed" : a !== undefined ? "removed" : "added",
          left: a !== undefined ? { number: l++, text: a } : null,
          right: b !== undefined ? { number: r++, text: b } : null,
        });
      }
      i++;
      continue;
    }
    for (const line of text) {
      rows.push(
        change.removed
          ? { kind: "removed", left: { number: l++, text: line }, right: null }
          : { kind: "added", left: null, right: { number: r++, text: line } },
      );
    }
  }
  return rows;
}

/** Keeps `context` unchanged rows around each change and folds longer unchanged stretches. */
export function foldUnchanged(rows: readonly DiffRow[], context = 3): (DiffRow | FoldedRows)[] {
  const near = new Array<boolean>(rows.length).fill(false);
  rows.forEach((row, i) => {
    if (row.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++) near[k] = true;
  });
  const out: (DiffRow | FoldedRows)[] = [];
  let i = 0;
  while (i < rows.length) {
    if (near[i]) {
      out.push(rows[i] as DiffRow);
      i++;
      continue;
    }
    const start = i;
    while (i < rows.length && !near[i]) i++;
    out.push({ kind: "folded", count: i - start, from: (rows[start] as DiffRow).left?.number ?? 0 });
  }
  return out;
}
