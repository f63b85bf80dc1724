import type { ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import type { ProviderChatResponse } from "../model-provider.ts";
import { localStructuredAnswer } from "./local-structured-output.ts";
import { type PromptSource, parsePrompt } from "./parse-prompt.ts";
import { isDenseScript, lightStem, wordTokens } from "./text-features.ts";

/** Options of {@link LocalChatModel}. */
export interface LocalChatModelOptions {
  /** Most sentences quoted in an answer. Default 3. */
  readonly maxSentences?: number;
}

interface Candidate {
  readonly sentence: string;
  readonly source: number;
  readonly score: number;
  readonly order: number;
}

/** A sentence to quote, with every source that says it word for word. */
interface Quote extends Candidate {
  readonly sources: readonly number[];
}

/**
 * Candidates with the same sentence (overlapping chunks, boilerplate repeated across sections)
 * folded into one quote at the first place it appears, citing each source once.
 */
function foldRepeats(candidates: readonly Candidate[]): Quote[] {
  const bySentence = new Map<string, { quote: Candidate; sources: number[] }>();
  for (const candidate of candidates) {
    const key = candidate.sentence.replace(/\s+/gu, " ").toLowerCase();
    const seen = bySentence.get(key);
    if (seen === undefined) bySentence.set(key, { quote: candidate, sources: [candidate.source] });
    else if (!seen.sources.includes(candidate.source)) seen.sources.push(candidate.source);
  }
  return [...bySentence.values()].map(({ quote, sources }) => ({ ...quote, sources }));
}

const SENTENCE_END = /(?<=[.!?。！？])\s+/u;
const ENDS_SENTENCE = /[.!?。！？:]$/u;
/** Lines that stand on their own: headings, list items, table rows, quotes. */
const OWN_LINE = /^(?:#{1,6}\s|[-*+•▪◦]\s|\d{1,3}[.)]\s|\||>\s?)/u;
const FENCE = /^(```|~~~)/;
/** A quoted sentence must carry at least this share of the best sentence's score. */
const RELEVANCE_SHARE = 0.5;
/** A sentence from another source than the best one is quoted only when it scores nearly as well. */
const OTHER_SOURCE_SHARE = 0.8;
const OFFLINE_NOTE = "(Offline local model: this answer quotes the retrieved sources; no language model was used.)";
// Function words, and the words that frame a question ("how long does it take"), not its topic.
const STOP_WORDS = new Set(
  "a an and are as at be by can could do does for from get how i in is it long many much of on or should take the there to was what when where which who why will with would you your".split(
    " ",
  ),
);

/**
 * Sentences of a source. Lines of a paragraph are joined back (a PDF wraps lines anywhere, even
 * inside a Korean word), while headings, list items, table rows and code lines stay their own
 * pieces, so a quote is neither cut at a line break nor glued to a heading.
 */
function sentencesOf(text: string): string[] {
  const pieces: string[] = [];
  let current = "";
  let closed = false;
  const flush = () => {
    if (current !== "") pieces.push(...current.split(SENTENCE_END));
    current = "";
  };
  let inFence = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (FENCE.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence || line === "") {
      flush();
      if (line !== "") pieces.push(line);
      continue;
    }
    const own = OWN_LINE.test(line);
    if (own || closed) flush();
    current = current === "" ? line : `${current} ${line}`;
    // a heading or table row ends at its line; a list item may wrap onto the next
    closed = /^(?:#{1,6}\s|\|)/.test(line);
  }
  flush();
  return pieces.map((p) => p.replace(/\s+/g, " ").trim()).filter((p) => p.length >= 2);
}

/** A heading or label rather than a statement: very short, no closing punctuation, no figure. */
function isFragment(sentence: string): boolean {
  return !ENDS_SENTENCE.test(sentence) && !/\d/.test(sentence) && sentence.split(" ").length < 3;
}

/** Query terms: content words, plus character bigrams for Korean/CJK words (particles vary). */
function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of wordTokens(text)) {
    if (STOP_WORDS.has(word)) continue;
    out.add(lightStem(word));
    if (isDenseScript(word)) for (let i = 0; i + 2 <= word.length; i++) out.add(`~${word.slice(i, i + 2)}`);
  }
  return out;
}

/**
 * Sum over the question's terms a sentence contains, each weighted by how rare it is among the
 * candidate sentences (inverse document frequency): "bike" in every sentence says little.
 */
function scoreSentences(query: Set<string>, sentences: readonly string[]): number[] {
  const termSets = sentences.map((s) => [...terms(s)].filter((t) => query.has(t)));
  const df = new Map<string, number>();
  for (const set of termSets) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  return termSets.map((set) =>
    set.reduce((sum, t) => sum + (t.startsWith("~") ? 0.5 : 1) * Math.log(1 + sentences.length / (df.get(t) ?? 1)), 0),
  );
}

function splitIntoDeltas(text: string, parts: number): string[] {
  const words = text.split(/(?<=\s)/);
  const size = Math.max(1, Math.ceil(words.length / parts));
  const deltas: string[] = [];
  for (let i = 0; i < words.length; i += size) deltas.push(words.slice(i, i + size).join(""));
  return deltas;
}

/**
 * The offline chat model: extractive. It finds the numbered sources (`[1] (file p.3) …`) in the
 * prompt, quotes the sentences that best match the question with their source numbers, and says
 * plainly that it is the offline model. Deterministic; streams its answer in a few deltas when
 * `onText` is given.
 *
 * @example
 * const model = new LocalChatModel();
 * const res = await model.chat({ messages: [{ role: "user", content: "[1] (faq.md) Refunds take 5 days.\n\nQ: refunds?" }] });
 * // res.text: "… Refunds take 5 days. [1]"
 */
export class LocalChatModel implements ChatModel {
  readonly model = "local-extractive-v1";
  readonly #maxSentences: number;

  constructor(options: LocalChatModelOptions = {}) {
    this.#maxSentences = options.maxSentences ?? 3;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ProviderChatResponse> {
    options.signal?.throwIfAborted();
    if (request.structured) return localStructuredAnswer(request, this.model);
    const last = [...request.messages].reverse().find((m) => m.role === "user");
    const { sources, question } = parsePrompt(last?.content ?? "");
    let text = this.#answer(sources, question);
    let stopReason = "end_turn";
    const maxWords = request.maxTokens;
    if (maxWords !== undefined && maxWords > 0) {
      const words = text.split(/(?<=\s)/);
      if (words.length > maxWords) {
        text = words.slice(0, maxWords).join("").trimEnd();
        stopReason = "max_tokens";
      }
    }
    if (options.onText) {
      for (const delta of splitIntoDeltas(text, 4)) {
        options.signal?.throwIfAborted();
        options.onText(delta);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const inputWords =
      (request.system ? wordTokens(request.system).length : 0) +
      request.messages.reduce((n, m) => n + wordTokens(m.content).length, 0);
    return {
      text,
      usage: { input: inputWords, output: wordTokens(text).length },
      stopReason,
      model: this.model,
      provider: "local",
    };
  }

  #answer(sources: readonly PromptSource[], question: string): string {
    const shown = question.length > 200 ? `${question.slice(0, 200)}…` : question;
    if (sources.length === 0) {
      return `I am the offline local model and I have no retrieved context to answer from${shown ? ` ("${shown}")` : ""}. ${OFFLINE_NOTE}`;
    }
    const query = terms(question);
    const pieces = sources.flatMap((source) =>
      sentencesOf(source.text)
        .filter((sentence) => !isFragment(sentence))
        .map((sentence) => ({ sentence, source: source.number })),
    );
    const scores = scoreSentences(
      query,
      pieces.map((p) => p.sentence),
    );
    const candidates: Candidate[] = pieces.map((p, order) => ({ ...p, score: scores[order] ?? 0, order }));
    const best = Math.max(0, ...candidates.map((c) => c.score));
    // the best sentence's source answers; others join only with a sentence nearly as good
    const bestSource = candidates.find((c) => c.score === best)?.source;
    const ranked = foldRepeats(candidates)
      .filter((c) => c.score > 0 && c.score >= best * RELEVANCE_SHARE)
      .filter(
        (c) => (bestSource !== undefined && c.sources.includes(bestSource)) || c.score >= best * OTHER_SOURCE_SHARE,
      )
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, this.#maxSentences)
      .sort((a, b) => a.order - b.order);
    if (ranked.length === 0) {
      const first = candidates[0];
      const lead = first ? ` The closest source says: ${first.sentence} [${first.source}]` : "";
      return `The offline local model found nothing in the sources that matches the question.${lead} ${OFFLINE_NOTE}`;
    }
    const body = ranked.map((c) => `${c.sentence} ${c.sources.map((n) => `[${n}]`).join("")}`).join(" ");
    return `According to the sources: ${body} ${OFFLINE_NOTE}`;
  }
}
