import type { TokenUsage } from "@portflow/engine";

/** `120+45` (input + output tokens), or undefined when none were used. */
export function formatTokens(tokens: TokenUsage): string | undefined {
  return tokens.input === 0 && tokens.output === 0 ? undefined : `${tokens.input}+${tokens.output}`;
}
