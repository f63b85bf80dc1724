/**
 * Reads back the prompt the llm node renders: numbered source blocks (`formatContext` in
 * `@portflow/engine`: `[n] (label) content`, blocks separated by blank lines) and the question.
 * @module
 */

/** One numbered source block of a prompt. */
export interface PromptSource {
  readonly number: number;
  /** The label between the parentheses (`faq.md § Refunds (EU) > Timing`), or "" when there is none. */
  readonly label: string;
  /** The whole chunk text, blank lines included. */
  readonly text: string;
}

/** A prompt split into its sources and its question. */
export interface ParsedPrompt {
  readonly sources: PromptSource[];
  readonly question: string;
}

const BLOCK_START = /^\[(\d+)\][^\S\n]*/;
/** A paragraph that introduces the question in the usual templates (`Q: {{query}}`, `Question: …`, `질문: …`). */
const QUESTION_MARKER = /^(?:q|question|query|user question|질문|문의)[^\S\n]*[:：][^\S\n]*/i;

/** The label at the start of `rest` when it opens with `(`: balanced parentheses, on one line. */
function readLabel(rest: string): { label: string; length: number } | undefined {
  if (!rest.startsWith("(")) return undefined;
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "\n") break;
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) {
      // a label that itself ends in ")" ("§ Step 1)") closes at the last of the run
      let end = i;
      while (rest[end + 1] === ")") end++;
      return { label: rest.slice(1, end), length: end + 1 };
    }
  }
  // unbalanced (a heading such as "Step (1"): the label ends at the first ") " on the line
  const close = /\)(?=[^\S\n]|$)/m.exec(rest);
  return close ? { label: rest.slice(1, close.index), length: close.index + 1 } : undefined;
}

interface Line {
  readonly text: string;
  /** Whether the line before it is blank (or it is the first line). */
  readonly opensParagraph: boolean;
}

/**
 * Splits a rendered prompt into its numbered source blocks and its question. A block starts at a
 * line opening with `[n]` (numbered 1, 2, … in order; after the first, at a paragraph start) and runs — blank lines included — up to the next block or the
 * question. The question is the paragraph introduced by `Q:` / `Question:` / `질문:` (the last
 * such paragraph outside the first line of a block); without one, it is the prompt's last
 * paragraph, or the text before the first block when that is all there is.
 *
 * @example
 * parsePrompt("[1] (faq.md § Refunds (EU)) Overview.\n\nPaid in 5 days.\n\nQ: how long?");
 * // { sources: [{ number: 1, label: "faq.md § Refunds (EU)", text: "Overview.\n\nPaid in 5 days." }], question: "how long?" }
 */
export function parsePrompt(prompt: string): ParsedPrompt {
  const raw = prompt.replace(/\r\n?/g, "\n").split("\n");
  const lines: Line[] = raw.map((text, i) => ({ text, opensParagraph: i === 0 || (raw[i - 1] ?? "").trim() === "" }));
  // formatContext numbers blocks 1, 2, 3 … in order: a `[7]` inside a chunk is no block start
  const starts: number[] = [];
  lines.forEach((line, i) => {
    const match = BLOCK_START.exec(line.text);
    if (match && Number(match[1]) === starts.length + 1 && (line.opensParagraph || starts.length === 0)) starts.push(i);
  });
  let questionAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as Line;
    if (line.opensParagraph && !starts.includes(i) && QUESTION_MARKER.test(line.text.trim())) {
      questionAt = i;
      break;
    }
  }
  const firstStart = starts[0] ?? lines.length;
  if (questionAt === -1) {
    // no marker: the last paragraph after the last block's first paragraph, else the preamble
    const lastStart = starts.at(-1);
    let paragraph = -1;
    for (let i = lines.length - 1; i > (lastStart ?? -1); i--) {
      if ((lines[i] as Line).opensParagraph && (lines[i] as Line).text.trim() !== "") {
        paragraph = i;
        break;
      }
    }
    questionAt = starts.length === 0 ? 0 : paragraph;
  }
  const questionEnd = questionAt === -1 ? -1 : (starts.find((s) => s > questionAt) ?? lines.length);
  const sources: PromptSource[] = starts.map((start, k) => {
    let end = starts[k + 1] ?? lines.length;
    if (questionAt > start && questionAt < end) end = questionAt;
    const first = lines[start]?.text ?? "";
    const match = BLOCK_START.exec(first) as RegExpExecArray;
    const rest = first.slice(match[0].length);
    const label = readLabel(rest);
    const head = label ? rest.slice(label.length) : rest;
    const body = [head, ...lines.slice(start + 1, end).map((l) => l.text)].join("\n").trim();
    return { number: Number(match[1]), label: label?.label ?? "", text: body };
  });
  let question =
    questionAt === -1
      ? ""
      : lines
          .slice(questionAt, questionEnd)
          .map((l) => l.text)
          .join("\n")
          .trim()
          .replace(QUESTION_MARKER, "");
  if (question === "" && starts.length === 0) question = prompt.trim();
  if (question === "" && firstStart > 0) {
    question = lines
      .slice(0, firstStart)
      .map((l) => l.text)
      .join("\n")
      .trim();
  }
  return { sources, question: question.trim() };
}
