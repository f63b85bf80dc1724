/**
 * Polls `probe` until it returns something other than undefined and resolves with it; rejects
 * naming `what` after `timeoutMs` (default 20 s). For state another process changes (a run's
 * status in the database, a worker's log), where there is no event to await.
 *
 * @example
 * const runId = await pollUntil("the run's row", async () => (await storage.runs.list(botId, {})).items[0]?.id);
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
