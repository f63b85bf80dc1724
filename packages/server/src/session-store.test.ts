import { describe, expect, it } from "vitest";
import { MemorySessionStore } from "./session-store.ts";

describe("MemorySessionStore", () => {
  it("keeps the last N turns per bot and session", async () => {
    const store = new MemorySessionStore({ maxTurns: 2, ttlSeconds: 60 });
    await store.appendTurn("bot-a", "s1", "q1", "a1");
    await store.appendTurn("bot-a", "s1", "q2", "a2");
    await store.appendTurn("bot-a", "s1", "q3", "a3");
    await store.appendTurn("bot-b", "s1", "other", "bot");
    expect(await store.history("bot-a", "s1")).toEqual([
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
      { role: "user", content: "q3" },
      { role: "assistant", content: "a3" },
    ]);
    expect(await store.history("bot-b", "s1")).toHaveLength(2);
    expect(await store.history("bot-a", "s2")).toEqual([]);
  });

  it("forgets a session after its TTL", async () => {
    let now = 0;
    const store = new MemorySessionStore({ maxTurns: 5, ttlSeconds: 10 }, () => now);
    await store.appendTurn("bot", "s", "q", "a");
    now = 9_999;
    expect(await store.history("bot", "s")).toHaveLength(2);
    now = 10_000;
    expect(await store.history("bot", "s")).toEqual([]);
  });
});
