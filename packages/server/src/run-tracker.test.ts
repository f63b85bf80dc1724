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

describe("RunTracker", () => {
  it("lets short runs finish and cancels the ones past the grace period", async () => {
    const tracker = new RunTracker();
    const short = tracker.track((signal) => abortable(signal, 10));
    const long = tracker.track((signal) => abortable(signal, 60_000));
    expect(tracker.size).toBe(2);
    const cancelled = await tracker.drain(100);
    expect(cancelled).toBe(1);
    expect(await short).toBe("finished");
    expect(await long).toBe("cancelled");
    expect(tracker.size).toBe(0);
    expect(tracker.draining).toBe(true);
  });

  it("passes the client's abort through", async () => {
    const tracker = new RunTracker();
    const client = new AbortController();
    const run = tracker.track((signal) => abortable(signal, 60_000), client.signal);
    client.abort();
    expect(await run).toBe("cancelled");
  });
});
