import { describe, expect, it } from "vitest";
import { createTestRegistry } from "./testing/index.ts";

describe("NodeRegistryV2", () => {
  it("describes every type with its ports and its config as JSON Schema", () => {
    const described = createTestRegistry().describe();
    expect(described.map((d) => d.type)).toEqual([
      "start",
      "end",
      "template",
      "if-else",
      "variable-aggregator",
      "list-operator",
      "iteration",
      "iteration-start",
      "loop",
      "loop-start",
      "assigner",
      "answer",
      "knowledge",
      "llm",
      "sleep",
    ]);
    const knowledge = described.find((d) => d.type === "knowledge");
    expect(knowledge?.ports.inputs).toEqual([{ name: "query", type: "string", required: true }]);
    expect(knowledge?.config_schema).toMatchObject({
      type: "object",
      properties: { top_k: { type: "integer", default: 5 } },
    });
    const start = described.find((d) => d.type === "start");
    expect(start?.ports.outputs).toEqual([{ name: "query", type: "string", required: true }]);
  });

  it("refuses a second registration of one type", () => {
    const registry = createTestRegistry();
    expect(() => registry.register(registry.get("template")!)).toThrow('node type "template" is already registered');
  });
});
