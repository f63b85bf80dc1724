import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

/** What an async load is doing: loading, failed or done. */
export type AsyncState<T> =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly error: Error }
  | { readonly status: "done"; readonly data: T };

/**
 * Runs `load` when `deps` change (aborting the previous one) and on `reload()`; stale answers
 * are dropped. `refresh()` loads again without going back to the loading state (live views):
 * it resolves with the new data, which replaces the old unless `deps` changed meanwhile.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): [AsyncState<T>, () => void, (signal: AbortSignal) => Promise<T>] {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // bumped on every (re)load: a refresh started before it must not overwrite what it loads
  const generation = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    const controller = new AbortController();
    generation.current++;
    setState({ status: "loading" });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "done", data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setState({ status: "error", error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const refresh = useCallback(async (signal: AbortSignal) => {
    const started = generation.current;
    const data = await loadRef.current(signal);
    if (!signal.aborted && generation.current === started) setState({ status: "done", data });
    return data;
  }, []);
  return [state, reload, refresh];
}
