/**
 * Retrieval evaluation figures — recall@1, recall@k, MRR — from what a search returned for each
 * question of an evaluation set. Pure: no I/O.
 * @module
 */

/** One question of an evaluation set. */
export interface EvalQuestion {
  readonly question: string;
  /** Filename of the document that answers it. */
  readonly expected_document: string;
  /** Text a chunk must contain to count as the answer (compared ignoring case and runs of whitespace). */
  readonly expected_phrase: string;
}

/** One retrieved chunk, best first. */
export interface RetrievedChunkSummary {
  readonly filename: string;
  readonly content: string;
  readonly score: number;
}

/** What came back for one question and where the first relevant chunk ranked. */
export interface QuestionOutcome {
  readonly question: EvalQuestion;
  readonly retrieved: readonly RetrievedChunkSummary[];
  /** 1-based rank of the first relevant chunk within the top k, or null for a miss. */
  readonly rank: number | null;
}

/** The figures of one evaluation run. */
export interface RetrievalMetrics {
  readonly k: number;
  readonly questions: number;
  readonly hitsAt1: number;
  readonly hitsAtK: number;
  readonly recallAt1: number;
  readonly recallAtK: number;
  /** Mean reciprocal rank of the first relevant chunk (0 for a question without one in the top k). */
  readonly mrr: number;
  readonly outcomes: readonly QuestionOutcome[];
}

const normalise = (text: string) => text.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();

/** Whether a chunk answers the question: it comes from the expected document and contains the phrase. */
export function isRelevant(question: EvalQuestion, chunk: RetrievedChunkSummary): boolean {
  return (
    chunk.filename === question.expected_document &&
    normalise(chunk.content).includes(normalise(question.expected_phrase))
  );
}

/**
 * Scores the results of an evaluation: each entry holds a question and its retrieved chunks,
 * best first (only the first `k` count).
 *
 * @example
 * const m = retrievalMetrics([{ question: q, retrieved: chunks }], 5);
 * m.recallAtK; // 1 when a chunk of q.expected_document containing q.expected_phrase is in the top 5
 */
export function retrievalMetrics(
  results: readonly { readonly question: EvalQuestion; readonly retrieved: readonly RetrievedChunkSummary[] }[],
  k: number,
): RetrievalMetrics {
  if (!Number.isInteger(k) || k < 1) throw new RangeError("k must be a positive integer");
  const outcomes = results.map(({ question, retrieved }) => {
    const top = retrieved.slice(0, k);
    const index = top.findIndex((chunk) => isRelevant(question, chunk));
    return { question, retrieved: top, rank: index === -1 ? null : index + 1 };
  });
  const n = outcomes.length;
  const hitsAt1 = outcomes.filter((o) => o.rank === 1).length;
  const hitsAtK = outcomes.filter((o) => o.rank !== null).length;
  const reciprocal = outcomes.reduce((sum, o) => sum + (o.rank === null ? 0 : 1 / o.rank), 0);
  return {
    k,
    questions: n,
    hitsAt1,
    hitsAtK,
    recallAt1: n === 0 ? 0 : hitsAt1 / n,
    recallAtK: n === 0 ? 0 : hitsAtK / n,
    mrr: n === 0 ? 0 : reciprocal / n,
    outcomes,
  };
}
