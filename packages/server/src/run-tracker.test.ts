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

  it("resolves within grace + wind-down even when a cancelled run ignores its signal", async () => {
    const tracker = new RunTracker();
    const stubborn = new Promise<void>(() => {}); // never settles, whatever the signal says
    tracker.track(stubborn, new AbortController());
    const started = performance.now();
    expect(await tracker.drain(100, 200)).toBe(1);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
  });
});
