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
 * words, then characters — only as fine as needed for every chunk to fit `chunkSize` — and merges
 * neighbouring pieces back up to `chunkSize`, repeating up to `chunkOverlap` characters of
 * whole pieces between consecutive chunks. Offsets into the source are kept (for page mapping).
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
  const ranges: Range[] = [];
  splitRange(source, 0, source.length, 0, size, overlap, ranges);
  const spans: TextSpan[] = [];
  for (const [start, end] of ranges) {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(source[s] as string)) s++;
    while (e > s && /\s/.test(source[e - 1] as string)) e--;
    if (e > s) spans.push({ text: source.slice(s, e), start: s, end: e });
  }
  return spans;
}

function pieces(source: string, start: number, end: number, separator: RegExp): Range[] {
  const out: Range[] = [];
  const re = new RegExp(separator.source, separator.flags);
  const text = source.slice(start, end);
  let from = 0;
  for (const match of text.matchAll(re)) {
    const cut = (match.index ?? 0) + match[0].length;
    if (cut > from && cut < text.length) {
      out.push([start + from, start + cut]);
      from = cut;
    }
  }
  out.push([start + from, end]);
  return out;
}

function splitRange(
  source: string,
  start: number,
  end: number,
  level: number,
  size: number,
  overlap: number,
  out: Range[],
): void {
  if (end - start <= size) {
    out.push([start, end]);
    return;
  }
  const separator = SEPARATORS[level];
  if (separator === undefined) {
    hardCut(source, start, end, size, overlap, out);
    return;
  }
  const parts = pieces(source, start, end, separator);
  if (parts.length === 1) {
    splitRange(source, start, end, level + 1, size, overlap, out);
    return;
  }
  let current: Range[] = [];
  const flush = () => {
    const first = current[0];
    const last = current.at(-1);
    if (first && last) out.push([first[0], last[1]]);
  };
  for (const part of parts) {
    if (part[1] - part[0] > size) {
      flush();
      current = [];
      splitRange(source, part[0], part[1], level + 1, size, overlap, out);
      continue;
    }
    const first = current[0];
    if (first && part[1] - first[0] > size) {
      flush();
      // keep a tail of whole pieces, at most `overlap` long, that still leaves room for `part`
      while (current.length > 0) {
        const head = current[0] as Range;
        const tailLength = (current.at(-1) as Range)[1] - head[0];
        if (tailLength <= overlap && part[1] - head[0] <= size) break;
        current.shift();
      }
    }
    current.push(part);
  }
  flush();
}

function hardCut(source: string, start: number, end: number, size: number, overlap: number, out: Range[]): void {
  const step = Math.max(1, size - overlap);
  for (let s = start; s < end; s += step) {
    let e = Math.min(end, s + size);
    // do not cut a surrogate pair in two
    if (e < end && e - 1 > s && /[\uD800-\uDBFF]/.test(source[e - 1] as string)) e--;
    out.push([s, e]);
    if (e >= end) break;
  }
}
