import type { ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import type { ProviderChatResponse } from "../model-provider.ts";
import { localStructuredAnswer } from "./local-structured-output.ts";
import { type PromptSource, parsePrompt } from "./parse-prompt.ts";
import { headingOfLabel, type SentenceScore, scoreSentences } from "./score-sentences.ts";
import { isFragment, splitSentences } from "./split-sentences.ts";
import { wordTokens } from "./text-features.ts";

/** Options of {@link LocalChatModel}. */
export interface LocalChatModelOptions {
  /** Most sentences quoted in an answer. Default 3. */
  readonly maxSentences?: number;
}

interface Candidate {
  readonly sentence: string;
  readonly source: number;
  readonly score: SentenceScore;
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

/** A quoted sentence must carry at least this share of the most relevant sentence's relevance. */
const RELEVANCE_SHARE = 0.5;
/** A sentence from another source than the best one is quoted only when it scores nearly as well. */
const OTHER_SOURCE_SHARE = 0.8;
const OFFLINE_NOTE = "(Offline local model: this answer quotes the retrieved sources; no language model was used.)";

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
    const pieces = sources.flatMap((source) => {
      const heading = headingOfLabel(source.label);
      return (
        splitSentences(source.text)
          .filter((sentence) => !isFragment(sentence))
          // formatContext numbers the sources in retrieval order
          .map((sentence) => ({ sentence, source: source.number, heading, sourceRank: source.number }))
      );
    });
    const scores = scoreSentences(question, pieces);
    const candidates: Candidate[] = pieces.map(({ sentence, source }, order) => ({
      sentence,
      source,
      score: scores[order] ?? { relevance: 0, preference: 0 },
      order,
    }));
    const mostRelevant = Math.max(0, ...candidates.map((c) => c.score.relevance));
    const mostPreferred = Math.max(0, ...candidates.map((c) => c.score.preference));
    // the best sentence's source answers; others join only with a sentence nearly as good
    const bestSource = candidates.find((c) => c.score.preference === mostPreferred)?.source;
    const ranked = foldRepeats(candidates)
      .filter((c) => c.score.relevance > 0 && c.score.relevance >= mostRelevant * RELEVANCE_SHARE)
      .filter(
        (c) =>
          (bestSource !== undefined && c.sources.includes(bestSource)) ||
          c.score.relevance >= mostRelevant * OTHER_SOURCE_SHARE,
      )
      .sort((a, b) => b.score.preference - a.score.preference || a.order - b.order)
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
