/** A piece of a source text: `text` is `source.slice(start, end)`, trimmed. */
export interface TextSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Sizes in characters. */
export interface TextSplitterOptions {
  /** Longest chunk. Default 1000. */
  readonly chunkSize?: number;
  /** Characters a chunk repeats from the end of the one before. Default 150; less than chunkSize. */
  readonly chunkOverlap?: number;
  /**
   * `[start, end)` ranges never cut when they fit in `chunkSize` (fenced code blocks); a longer
   * one is cut like any text. Overlap never starts inside one.
   */
  readonly keepWhole?: readonly (readonly [number, number])[];
}

/** Split points, coarsest first; a delimiter stays with the piece before it. */
const SEPARATORS: readonly RegExp[] = [
  /\n[^\S\n]*\n\s*/g, // paragraphs
  /\n/g, // lines
  /(?<=[.!?。！？…])["'”’)\]]*\s+/gu, // sentences
  /\s+/g, // words
];

type Range = readonly [start: number, end: number];

/**
 * A recursive character splitter: it splits on paragraphs, then lines, then sentences, then
 * words, then characters — only as fine as needed — and merges neighbouring pieces back up to
 * `chunkSize - chunkOverlap`; each chunk after the first then repeats the last `chunkOverlap`
 * characters before it (from a word start, so a little less when a word would be cut), so
 * consecutive chunks share about `chunkOverlap` characters and none is longer than `chunkSize`.
 * Offsets into the source are kept (for page mapping).
 *
 * @example
 * splitText("First paragraph.\n\nSecond one.", { chunkSize: 20, chunkOverlap: 0 }).map((s) => s.text);
 * // ["First paragraph.", "Second one."]
 */
export function splitText(source: string, options: TextSplitterOptions = {}): TextSpan[] {
  const size = options.chunkSize ?? 1000;
  const overlap = options.chunkOverlap ?? 150;
  if (!Number.isInteger(size) || size < 1) throw new RangeError("chunkSize must be a positive integer");
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) {
    throw new RangeError("chunkOverlap must be an integer from 0 to chunkSize - 1");
  }
  const keep = (options.keepWhole ?? []).filter(([a, b]) => b - a <= size);
  const splitter: Splitter = { source, budget: size - overlap, size, keep };
  const ranges: Range[] = [];
  splitRange(splitter, 0, source.length, 0, ranges);
  const base: Range[] = [];
  for (const range of ranges) {
    const trimmed = trim(source, range[0], range[1]);
    if (trimmed) base.push(trimmed);
  }
  return base.map(([start, end], i) => {
    const s = i === 0 ? start : overlapStart(splitter, overlap, base[i - 1] as Range, start, end);
    return { text: source.slice(s, end), start: s, end };
  });
}

interface Splitter {
  readonly source: string;
  /** Longest piece before overlap is added. */
  readonly budget: number;
  readonly size: number;
  /** Ranges that fit in `size` and are never cut. */
  readonly keep: readonly (readonly [number, number])[];
}

function trim(source: string, start: number, end: number): Range | undefined {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(source[s] as string)) s++;
  while (e > s && /\s/.test(source[e - 1] as string)) e--;
  return e > s ? [s, e] : undefined;
}

/** Where a chunk starting at `start` begins once it repeats the tail of `prev`. */
function overlapStart(sp: Splitter, overlap: number, prev: Range, start: number, end: number): number {
  const want = Math.min(overlap, sp.size - (end - start));
  if (want <= 0) return start;
  let from = Math.max(prev[0] + 1, start - want);
  // start at a word: skip to just past the next whitespace, unless there is none (CJK runs)
  const slice = sp.source.slice(from, start);
  if (from > 0 && !/\s/.test(sp.source[from - 1] as string)) {
    const space = slice.search(/\s/);
    if (space !== -1) from += space;
  }
  if (/[\uDC00-\uDFFF]/.test(sp.source[from] as string)) from++;
  // overlap never begins inside a block kept whole: it would repeat half a code block
  for (const [a, b] of sp.keep) if (from > a && from < b) from = b;
  const trimmed = trim(sp.source, Math.min(from, start), start);
  return trimmed ? trimmed[0] : start;
}

function keptWhole(sp: Splitter, start: number, end: number): boolean {
  const t = trim(sp.source, start, end);
  return t !== undefined && sp.keep.some(([a, b]) => a <= t[0] && t[1] <= b);
}

function pieces(sp: Splitter, start: number, end: number, separator: RegExp): Range[] {
  const out: Range[] = [];
  const re = new RegExp(separator.source, separator.flags);
  const text = sp.source.slice(start, end);
  let from = 0;
  for (const match of text.matchAll(re)) {
    const cut = (match.index ?? 0) + match[0].length;
    const at = start + cut;
    if (sp.keep.some(([a, b]) => at > a && at < b)) continue;
    if (cut > from && cut < text.length) {
      out.push([start + from, at]);
      from = cut;
    }
  }
  out.push([start + from, end]);
  return out;
}

function splitRange(sp: Splitter, start: number, end: number, level: number, out: Range[]): void {
  if (end - start <= sp.budget || keptWhole(sp, start, end)) {
    out.push([start, end]);
    return;
  }
  const separator = SEPARATORS[level];
  if (separator === undefined) {
    hardCut(sp, start, end, out);
    return;
  }
  const parts = pieces(sp, start, end, separator);
  if (parts.length === 1) {
    splitRange(sp, start, end, level + 1, out);
    return;
  }
  let current: Range | undefined;
  for (const part of parts) {
    if (part[1] - part[0] > sp.budget) {
      if (current) out.push(current);
      current = undefined;
      splitRange(sp, part[0], part[1], level + 1, out);
      continue;
    }
    if (current && part[1] - current[0] > sp.budget) {
      out.push(current);
      current = undefined;
    }
    current = current ? [current[0], part[1]] : part;
  }
  if (current) out.push(current);
}

function hardCut(sp: Splitter, start: number, end: number, out: Range[]): void {
  for (let s = start; s < end; ) {
    let e = Math.min(end, s + sp.budget);
    // do not cut a surrogate pair in two
    if (e < end && e - 1 > s && /[\uD800-\uDBFF]/.test(sp.source[e - 1] as string)) e--;
    out.push([s, e]);
    s = e;
  }
}
