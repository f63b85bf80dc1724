/** A fenced code block (```` ``` ```` or `~~~`) in a text, by character offsets. */
export interface FencedCodeBlock {
  /** Offset of the opening fence line. */
  readonly start: number;
  /** Offset just past the closing fence line (the text's end when the fence is never closed). */
  readonly end: number;
  /** The opening fence line as written, language included (```` ```yaml ````). */
  readonly open: string;
  /** The fence characters that close it (```` ``` ```` or `~~~`, as long as the opening run). */
  readonly close: string;
  /** Whether the block has a closing fence. */
  readonly closed: boolean;
}

const FENCE_LINE = /^[^\S\n]{0,3}(`{3,}|~{3,})[^\n]*$/gm;

/**
 * The fenced code blocks of a Markdown text, as CommonMark pairs them: a block closes at the next
 * fence line of the same character, at least as long, with nothing after it.
 *
 * @example
 * fencedCodeBlocks("a\n```yaml\nx: 1\n```\nb");
 * // [{ start: 2, end: 18, open: "```yaml", close: "```", closed: true }]
 */
export function fencedCodeBlocks(text: string): FencedCodeBlock[] {
  const blocks: FencedCodeBlock[] = [];
  let opening: { start: number; open: string; run: string } | undefined;
  for (const match of text.matchAll(FENCE_LINE)) {
    const line = match[0];
    const run = match[1] as string;
    const at = match.index ?? 0;
    if (opening === undefined) {
      // a backtick fence's info string cannot contain backticks
      if (run.startsWith("`") && line.trim().slice(run.length).includes("`")) continue;
      opening = { start: at, open: line.trim(), run };
    } else if (run[0] === opening.run[0] && run.length >= opening.run.length && line.trim() === run) {
      blocks.push({
        start: opening.start,
        end: at + line.length,
        open: opening.open,
        close: opening.run,
        closed: true,
      });
      opening = undefined;
    }
  }
  if (opening) {
    blocks.push({ start: opening.start, end: text.length, open: opening.open, close: opening.run, closed: false });
  }
  return blocks;
}
