import { describe, expect, it } from "vitest";
import { createNodeRegistry } from "./create-node-registry.ts";

describe("createNodeRegistry", () => {
  it("registers the built-in node types and describes them", () => {
    const registry = createNodeRegistry();
    expect(registry.types().sort()).toEqual([
      "assigner",
      "end",
      "http-request",
      "if-else",
      "iteration",
      "iteration-start",
      "knowledge",
      "list-operator",
      "llm",
      "loop",
      "loop-start",
      "parameter-extractor",
      "question-classifier",
      "start",
      "template",
      "variable-aggregator",
    ]);
    const knowledge = registry.describe().find((d) => d.type === "knowledge");
    expect(knowledge?.ports.outputs.map((p) => p.name)).toEqual(["documents", "context"]);
    expect(knowledge?.config_schema).toMatchObject({ type: "object" });
  });

  it("returns a fresh registry each time", () => {
    expect(createNodeRegistry()).not.toBe(createNodeRegistry());
  });
});
