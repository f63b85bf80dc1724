import { describe, expect, it } from "vitest";
import { nodeStatuses } from "./node-statuses.ts";

describe("nodeStatuses", () => {
  const e = (node_id: string, status: string) => ({ node_id, status }) as Parameters<typeof nodeStatuses>[0][number];
  it("colours a node by its worst execution: a failed round wins over succeeded ones", () => {
    const statuses = nodeStatuses([
      e("each", "succeeded"),
      e("body", "succeeded"),
      e("body", "failed"),
      e("body", "succeeded"),
    ]);
    expect(Object.fromEntries(statuses)).toEqual({ each: "succeeded", body: "failed" });
  });

  it("leaves nodes that never ran uncoloured and keeps skipped ones skipped", () => {
    const statuses = nodeStatuses([e("if", "succeeded"), e("no", "skipped")]);
    expect(statuses.get("no")).toBe("skipped");
    expect(statuses.has("yes")).toBe(false);
  });
});
