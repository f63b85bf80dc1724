/** Tokens a model call (or a node, or a run) used. */
export interface TokenUsage {
  readonly input: number;
  readonly output: number;
}
