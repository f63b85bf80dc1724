import { describe, expect, it } from "vitest";
import { RunTracker } from "./run-tracker.ts";

function abortable(signal: AbortSignal, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("finished"), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve("cancelled");
    });
  });
}

function start(tracker: RunTracker, ms: number): Promise<string> {
  const controller = new AbortController();
  const done = abortable(controller.signal, ms);
  tracker.track(done, controller);
  return done;
}

describe("RunTracker", () => {
  it("lets short runs finish and cancels the ones past the grace period", async () => {
    const tracker = new RunTracker();
    const short = start(tracker, 10);
    const long = start(tracker, 60_000);
    expect(tracker.size).toBe(2);
    const cancelled = await tracker.drain(100);
    expect(cancelled).toBe(1);
    expect(await short).toBe("finished");
    expect(await long).toBe("cancelled");
    expect(tracker.size).toBe(0);
    expect(tracker.draining).toBe(true);
  });
});
