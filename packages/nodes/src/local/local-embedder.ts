import type { CallOptions, Embedder, EmbeddingResult } from "@portflow/engine";
import { fnv1a, isDenseScript, lightStem, wordTokens } from "./text-features.ts";

/** Options of {@link LocalEmbedder}. */
export interface LocalEmbedderOptions {
  /** Vector size. Default 1024 (the same as Titan v2, so stores need not change). */
  readonly dimensions?: number;
}

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.7;
const STEM_WEIGHT = 0.7;
const CHAR_GRAM_WEIGHT = 0.35;
const DENSE_GRAM_WEIGHT = 0.5;
const SIGN_SEED = 0x9747b28c;

/**
 * An offline embedder: deterministic feature hashing of words, word bigrams, light stems and
 * character n-grams (3-grams; also 2-grams for Korean/CJK), L2-normalised. No model files, no network —
 * real lexical retrieval, good enough for the demo and tests.
 *
 * @example
 * const embedder = new LocalEmbedder();
 * const { vectors } = await embedder.embed(["refund policy", "환불 정책"]);
 */
export class LocalEmbedder implements Embedder {
  readonly model = "local-hashing-v1";
  readonly dimensions: number;

  constructor(options: LocalEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 1024;
    if (!Number.isInteger(dimensions) || dimensions < 8) throw new RangeError("dimensions must be an integer ≥ 8");
    this.dimensions = dimensions;
  }

  async embed(texts: readonly string[], options: CallOptions = {}): Promise<EmbeddingResult> {
    const vectors: number[][] = [];
    let inputTokens = 0;
    for (const text of texts) {
      options.signal?.throwIfAborted();
      const { vector, tokens } = this.embedOne(text);
      vectors.push(vector);
      inputTokens += tokens;
    }
    return { vectors, inputTokens };
  }

  /** Embeds one text synchronously; `tokens` is its word count. */
  embedOne(text: string): { vector: number[]; tokens: number } {
    const dims = this.dimensions;
    const acc = new Float64Array(dims);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      const sign = fnv1a(feature, SIGN_SEED) & 1 ? 1 : -1;
      acc[h % dims] = (acc[h % dims] as number) + sign * weight;
    };
    const words = wordTokens(text);
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      add(`w:${word}`, WORD_WEIGHT);
      const stem = lightStem(word);
      if (stem !== word) add(`w:${stem}`, STEM_WEIGHT);
      if (i + 1 < words.length) add(`b:${word} ${words[i + 1]}`, BIGRAM_WEIGHT);
      const padded = `^${word}$`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, CHAR_GRAM_WEIGHT);
      if (isDenseScript(word)) {
        for (let j = 0; j + 2 <= word.length; j++) add(`k:${word.slice(j, j + 2)}`, DENSE_GRAM_WEIGHT);
      }
    }
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += (acc[i] as number) ** 2;
    norm = Math.sqrt(norm);
    const vector = new Array<number>(dims);
    for (let i = 0; i < dims; i++) vector[i] = norm === 0 ? 0 : (acc[i] as number) / norm;
    return { vector, tokens: words.length };
  }
}
