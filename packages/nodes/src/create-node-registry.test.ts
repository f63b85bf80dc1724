import { describe, expect, it } from "vitest";
import { createNodeRegistry } from "./create-node-registry.ts";

describe("createNodeRegistry", () => {
  it("registers the built-in node types and describes them", () => {
    const registry = createNodeRegistry();
    expect(registry.types().sort()).toEqual([
      "answer",
      "assigner",
      "code",
      "document-extractor",
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
      "template-transform",
      "variable-aggregator",
    ]);
    const knowledge = registry.describe().find((d) => d.type === "knowledge");
    expect(knowledge?.ports.outputs.map((p) => p.name)).toEqual(["documents", "context"]);
    expect(knowledge?.config_schema).toMatchObject({ type: "object" });
  });

  it("bounds the sandboxed nodes' limits by the server maxima it is given", () => {
    const registry = createNodeRegistry({ sandbox: { maxima: { time_ms: 10_000, memory_mb: 128 } } });
    const code = registry.describe().find((d) => d.type === "code");
    expect(code?.config_schema).toMatchObject({
      properties: {
        limits: {
          properties: { time_ms: { maximum: 10_000 }, memory_mb: { maximum: 128 } },
        },
      },
    });
  });

  it("returns a fresh registry each time", () => {
    expect(createNodeRegistry()).not.toBe(createNodeRegistry());
  });
});
