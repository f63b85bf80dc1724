import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RunTracker } from "./run-tracker.ts";

/** A run the test finishes by hand; it winds down as soon as its signal aborts, unless told to ignore it. */
function trackedRun(tracker: RunTracker, options: { ignoresAbort?: boolean } = {}) {
  const controller = new AbortController();
  let finish!: (outcome: string) => void;
  const done = new Promise<string>((resolve) => {
    finish = resolve;
  });
  if (!options.ignoresAbort) controller.signal.addEventListener("abort", () => finish("cancelled"));
  tracker.track(done, controller);
  return { signal: controller.signal, done, finish };
}

// The grace period is the behaviour under test: a fake clock moves it exactly, without waiting.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("RunTracker", () => {
  it("lets runs that finish within the grace period finish and cancels the others once it ends", async () => {
    const tracker = new RunTracker();
    const short = trackedRun(tracker);
    const long = trackedRun(tracker);
    expect(tracker.size).toBe(2);

    let cancelled: number | undefined;
    const drained = tracker.drain(100).then((n) => {
      cancelled = n;
    });
    expect(tracker.draining).toBe(true);
    await vi.advanceTimersByTimeAsync(50);
    short.finish("finished");
    await vi.advanceTimersByTimeAsync(49);
    expect(tracker.size).toBe(1);
    expect(long.signal.aborted).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    expect(long.signal.aborted).toBe(true);
    expect((long.signal.reason as Error).message).toBe("server shutting down");
    await drained;
    expect(cancelled).toBe(1);
    expect(short.signal.aborted).toBe(false);
    expect(await short.done).toBe("finished");
    expect(await long.done).toBe("cancelled");
    expect(tracker.size).toBe(0);
  });

  it("returns at once when every run finished before the grace period ends", { timeout: 2_000 }, async () => {
    const tracker = new RunTracker();
    const run = trackedRun(tracker);
    const drained = tracker.drain(60_000);
    run.finish("finished");
    // The fake clock never moves: a drain that sat out the grace period would time the test out.
    await expect(drained).resolves.toBe(0);
    expect(run.signal.aborted).toBe(false);
  });

  it("resolves within grace + wind-down even when a cancelled run ignores its signal", async () => {
    const tracker = new RunTracker();
    const stuck = trackedRun(tracker, { ignoresAbort: true });
    let returned = false;
    const drained = tracker.drain(100, 200).then((n) => {
      returned = true;
      return n;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(stuck.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(199);
    expect(returned).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await drained).toBe(1);
    expect(tracker.size).toBe(1); // still running: the tracker forgets it only when it settles
  });
});
