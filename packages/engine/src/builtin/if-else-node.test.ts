import { describe, expect, it } from "vitest";
import type { NodeContext } from "../base-node.ts";
import { type IfElseConfig, IfElseNode } from "./if-else-node.ts";

const node = new IfElseNode();
function branchOf(config: unknown, inputs: Record<string, unknown>): string | undefined {
  const parsed = node.configSchema.parse(config);
  return (node.run(inputs, { config: parsed } as NodeContext<IfElseConfig>) as { branch?: string }).branch;
}

describe("if-else", () => {
  const config = {
    cases: [
      {
        id: "vip",
        logical: "and",
        conditions: [
          { input: "user.tier", operator: "equals", value: "gold" },
          { input: "total", operator: "gt", value: 100 },
        ],
      },
      {
        id: "question",
        logical: "or",
        conditions: [
          { input: "text", operator: "ends-with", value: "?" },
          { input: "text", operator: "contains", value: "how" },
        ],
      },
      { id: "empty", conditions: [{ input: "text", operator: "is-empty" }] },
    ],
  };

  it("takes the first case that holds, in order", () => {
    expect(branchOf(config, { user: { tier: "gold" }, total: 150, text: "how?" })).toBe("vip");
    expect(branchOf(config, { user: { tier: "gold" }, total: 50, text: "how?" })).toBe("question");
    expect(branchOf(config, { text: "" })).toBe("empty");
  });

  it("takes `false` when no case holds", () => {
    expect(branchOf(config, { text: "statement." })).toBe("false");
  });

  it("declares each case and `false` as branch ports, and reserves `false`", () => {
    expect(node.ports(node.configSchema.parse(config)).branches).toEqual(["vip", "question", "empty", "false"]);
    expect(
      node.configSchema.safeParse({ cases: [{ id: "false", conditions: [{ input: "x", operator: "is-empty" }] }] })
        .success,
    ).toBe(false);
  });
});
