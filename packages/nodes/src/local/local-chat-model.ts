import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from "@portflow/engine";
import { isDenseScript, lightStem, wordTokens } from "./text-features.ts";

/** Options of {@link LocalChatModel}. */
export interface LocalChatModelOptions {
  /** Most sentences quoted in an answer. Default 3. */
  readonly maxSentences?: number;
}

interface Source {
  readonly number: number;
  readonly text: string;
}

interface Candidate {
  readonly sentence: string;
  readonly source: number;
  readonly score: number;
  readonly order: number;
}

const SOURCE_BLOCK = /^\[(\d+)\]\s*(?:\([^)\n]*\)\s*)?/;
const SENTENCE_END = /(?<=[.!?。！？])\s+|\n+/u;
const OFFLINE_NOTE = "(Offline local model: this answer quotes the retrieved sources; no language model was used.)";
const STOP_WORDS = new Set(
  "a an and are as at be by do does for from how i in is it of on or the to was what when where which who why with you your".split(
    " ",
  ),
);

/** Splits `[n] (label) text` blocks out of a prompt; everything else is the question. */
function splitPrompt(prompt: string): { sources: Source[]; question: string } {
  const sources: Source[] = [];
  const question: string[] = [];
  let current: { number: number; lines: string[] } | undefined;
  const flush = () => {
    if (current) sources.push({ number: current.number, text: current.lines.join("\n").trim() });
    current = undefined;
  };
  for (const line of prompt.split("\n")) {
    const match = SOURCE_BLOCK.exec(line);
    if (match) {
      flush();
      current = { number: Number(match[1]), lines: [line.slice(match[0].length)] };
    } else if (current && line.trim() !== "") {
      current.lines.push(line);
    } else {
      flush();
      if (line.trim() !== "") question.push(line);
    }
  }
  flush();
  return { sources, question: question.join("\n").trim() };
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

function overlap(query: Set<string>, sentence: string): number {
  let score = 0;
  for (const term of terms(sentence)) if (query.has(term)) score += term.startsWith("~") ? 0.5 : 1;
  return score;
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

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    options.signal?.throwIfAborted();
    const last = [...request.messages].reverse().find((m) => m.role === "user");
    const { sources, question } = splitPrompt(last?.content ?? "");
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
    };
  }

  #answer(sources: readonly Source[], question: string): string {
    const shown = question.length > 200 ? `${question.slice(0, 200)}…` : question;
    if (sources.length === 0) {
      return `I am the offline local model and I have no retrieved context to answer from${shown ? ` ("${shown}")` : ""}. ${OFFLINE_NOTE}`;
    }
    const query = terms(question);
    const candidates: Candidate[] = [];
    let order = 0;
    for (const source of sources) {
      for (const raw of source.text.split(SENTENCE_END)) {
        const sentence = raw.replace(/\s+/g, " ").trim();
        if (sentence.length < 2) continue;
        candidates.push({ sentence, source: source.number, score: overlap(query, sentence), order: order++ });
      }
    }
    const ranked = candidates
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, this.#maxSentences)
      .sort((a, b) => a.order - b.order);
    if (ranked.length === 0) {
      const first = candidates[0];
      const lead = first ? ` The closest source says: ${first.sentence} [${first.source}]` : "";
      return `The offline local model found nothing in the sources that matches the question.${lead} ${OFFLINE_NOTE}`;
    }
    const body = ranked.map((c) => `${c.sentence} [${c.source}]`).join(" ");
    return `According to the sources: ${body} ${OFFLINE_NOTE}`;
  }
}
