/**
 * How well each retrieved sentence answers a question, for the offline answer model.
 * @module
 */
import { asksForFigure, statesFigure } from "./asks-for-figure.ts";
import { termSet, wordTerms } from "./word-terms.ts";

/** A sentence to score, with the heading of the section it comes from ("" when there is none). */
export interface ScoredSentenceInput {
  readonly sentence: string;
  readonly heading: string;
  /** The source's place in the retrieval ranking, 1 for the best. */
  readonly sourceRank: number;
}

/**
 * A question word found only in the heading counts this much of what it counts in the sentence:
 * the section is about it, the sentence may not say it again ("SEV1: …" under "Severity levels").
 */
const HEADING_SHARE = 0.6;
/** The boost of a sentence that states a figure when the question asks when / how long / how many. */
const FIGURE_BOOST = 1.25;
/** The boost of a `label: value` line whose label names a word of the question (`- SEV1: …`). */
const LABEL_BOOST = 1.25;
/** A label: a few words before a colon at the start of a line or list item. */
const LABEL = /^(?:[-*+•]\s+|\d{1,3}[.)]\s+)?([^:：]{1,40})[:：]\s/u;
/**
 * Each place down the retrieval ranking costs a sentence this share of its score: retrieval
 * weighed the whole chunk, so between two sentences that match alike, the better chunk's wins.
 */
const RANK_DISCOUNT = 0.1;

/** How a sentence answers a question. */
export interface SentenceScore {
  /** How well it matches the question: what decides whether it is worth quoting at all. */
  readonly relevance: number;
  /** {@link relevance} with the preference for figures: what orders the sentences worth quoting. */
  readonly preference: number;
}

/**
 * The section heading in a source label: its last `>` step after `§` (`faq.md § Refunds > Timing`
 * → `Timing`); the steps above are shared by the whole document and tell its sections nothing.
 */
export function headingOfLabel(label: string): string {
  const at = label.indexOf("§");
  if (at === -1) return "";
  return (
    label
      .slice(at + 1)
      .split(" > ")
      .at(-1)
      ?.trim() ?? ""
  );
}

function labelNamesQuestion(sentence: string, words: readonly (readonly string[])[]): boolean {
  const label = LABEL.exec(sentence)?.[1];
  if (label === undefined || label.split(/\s+/).length > 4) return false;
  const terms = termSet(label);
  return words.some((word) => word.some((t) => terms.has(t)));
}

/**
 * Scores sentences against a question. Each question word adds the rarity (inverse document
 * frequency over the sentences) of its terms the sentence contains, averaged over the word's
 * terms so a Korean word of four bigrams weighs what one English word weighs; a word only the
 * sentence's heading contains adds {@link HEADING_SHARE} of that. A `label: value` line whose
 * label names a question word (a glossary entry, a list of levels) is boosted, a sentence from a
 * source retrieval ranked lower is discounted a little ({@link RANK_DISCOUNT}). When the question
 * asks for a figure, a sentence that states one is preferred, but not made more relevant.
 */
export function scoreSentences(question: string, sentences: readonly ScoredSentenceInput[]): SentenceScore[] {
  // each distinct word once: a word the question repeats is not worth more
  const words = [...new Map(wordTerms(question).map((terms) => [terms.join(" "), terms])).values()];
  const termSets = sentences.map((s) => termSet(s.sentence));
  const df = new Map<string, number>();
  for (const set of termSets) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (term: string) => Math.log(1 + sentences.length / (df.get(term) ?? 1));
  const headings = new Map<string, Set<string>>();
  for (const s of sentences) if (!headings.has(s.heading)) headings.set(s.heading, termSet(s.heading));
  const wantsFigure = asksForFigure(question);
  return sentences.map((s, i) => {
    const body = termSets[i] as Set<string>;
    const heading = headings.get(s.heading) as Set<string>;
    let score = 0;
    for (const terms of words) {
      const weight = (set: Set<string>) => terms.reduce((sum, t) => sum + (set.has(t) ? idf(t) : 0), 0) / terms.length;
      score += Math.max(weight(body), HEADING_SHARE * weight(heading));
    }
    if (labelNamesQuestion(s.sentence, words)) score *= LABEL_BOOST;
    const relevance = score / (1 + RANK_DISCOUNT * (s.sourceRank - 1));
    const preference = wantsFigure && statesFigure(s.sentence) ? relevance * FIGURE_BOOST : relevance;
    return { relevance, preference };
  });
}
