/** How a live view polls: start quick, slow down while nothing changes, never slower than `maxMs`. */
export interface PollBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** 1 s, then ×1.5 per unchanged answer, at most 10 s. */
export const LIVE_POLL: PollBackoff = Object.freeze({ initialMs: 1000, maxMs: 10_000, factor: 1.5 });

/**
 * The wait before the next poll: the initial delay first and after any change (something is
 * happening: look again soon), else the previous delay grown by the factor, capped.
 */
export function nextPollDelay(previousMs: number | null, changed: boolean, backoff: PollBackoff = LIVE_POLL): number {
  if (previousMs === null || changed) return backoff.initialMs;
  return Math.min(backoff.maxMs, Math.round(previousMs * backoff.factor));
}
