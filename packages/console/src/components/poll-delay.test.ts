import { describe, expect, it } from "vitest";
import { LIVE_POLL, nextPollDelay } from "./poll-delay.ts";

describe("nextPollDelay", () => {
  it("backs off 1 s → 1.5 s → 2.25 s … while nothing changes, and stays at 10 s", () => {
    const delays: number[] = [];
    let delay: number | null = null;
    for (let i = 0; i < 9; i++) {
      delay = nextPollDelay(delay, false);
      delays.push(delay);
    }
    expect(delays).toEqual([1000, 1500, 2250, 3375, 5063, 7595, 10000, 10000, 10000]);
  });

  it("looks again after the initial delay as soon as something changed", () => {
    expect(nextPollDelay(LIVE_POLL.maxMs, true)).toBe(1000);
    expect(nextPollDelay(400, false, { initialMs: 100, maxMs: 500, factor: 2 })).toBe(500);
  });
});
