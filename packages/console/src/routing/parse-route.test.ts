import { describe, expect, it } from "vitest";
import { parseRoute, routeHash } from "./parse-route.ts";

describe("parseRoute", () => {
  it("reads every console page from the hash, and back", () => {
    const cases = [
      ["#/bots", { page: "bots" }],
      ["#/bots/b%201/runs", { page: "runs", botId: "b 1" }],
      ["#/bots/b1/runs/r1", { page: "run", botId: "b1", runId: "r1" }],
      ["#/bots/b1/workflow", { page: "workflow", botId: "b1" }],
      ["#/bots/b1/documents", { page: "documents", botId: "b1" }],
      ["#/bots/b1/playground", { page: "playground", botId: "b1" }],
      ["#/bots/b1/statistics", { page: "statistics", botId: "b1" }],
    ] as const;
    for (const [hash, route] of cases) {
      expect(parseRoute(hash)).toEqual(route);
      expect(routeHash(route)).toBe(hash);
    }
  });

  it("opens the bots list for an empty hash and a bot's runs for a bare bot", () => {
    expect(parseRoute("")).toEqual({ page: "bots" });
    expect(parseRoute("#/bots/b1")).toEqual({ page: "runs", botId: "b1" });
  });

  it("answers not-found, never throws, for unknown paths and bad escapes", () => {
    expect(parseRoute("#/keys").page).toBe("not-found");
    expect(parseRoute("#/bots/b1/workflow/x").page).toBe("not-found");
    expect(parseRoute("#/bots/%E0%A4%A/runs")).toEqual({ page: "runs", botId: "%E0%A4%A" });
  });
});
