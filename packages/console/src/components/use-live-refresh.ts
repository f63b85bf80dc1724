import { useEffect, useRef } from "react";
import { LIVE_POLL, nextPollDelay, type PollBackoff } from "./poll-delay.ts";

/**
 * While `active`, calls `refresh` again and again with a backing-off delay (see `nextPollDelay`);
 * `refresh` answers whether anything changed. Stops (and aborts a refresh in flight) when `active`
 * turns false or the component goes away. A failed refresh backs off like an unchanged one.
 */
export function useLiveRefresh(
  active: boolean,
  refresh: (signal: AbortSignal) => Promise<boolean>,
  backoff: PollBackoff = LIVE_POLL,
): void {
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (delay: number) => {
      timer = setTimeout(async () => {
        let changed = false;
        try {
          changed = await refreshRef.current(controller.signal);
        } catch {
          // shown by the next successful answer or the page's own error state; keep trying, slower
        }
        if (!controller.signal.aborted) schedule(nextPollDelay(delay, changed, backoff));
      }, delay);
    };
    schedule(nextPollDelay(null, false, backoff));
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [active, backoff]);
}
