import { describe, expect, it } from "vitest";
import { wireSessionHistory } from "./session-history-wiring.ts";

const rag = {
  schema_version: 2,
  nodes: [
    {
      id: "start",
      type: "start",
      config: { inputs: [{ name: "query", type: "string", required: true }] as unknown[] },
      variable_mappings: [] as unknown[],
    },
    {
      id: "answer",
      type: "llm",
      config: {} as { inputs?: unknown[] },
      variable_mappings: [{ target_port: "query", selector: ["start", "query"] }] as unknown[],
    },
    {
      id: "end",
      type: "end",
      config: {},
      variable_mappings: [{ target_port: "answer", selector: ["answer", "text"] }],
    },
  ],
  edges: [
    { source: "start", target: "answer" },
    { source: "answer", target: "end" },
  ],
};

describe("wireSessionHistory", () => {
  it("declares the history input and maps it to unbound llm messages ports", () => {
    const wired = wireSessionHistory(rag) as typeof rag;
    expect(wired.nodes[0]?.config.inputs).toContainEqual({
      name: "history",
      type: "messages",
      required: false,
      default: [],
    });
    expect(wired.nodes[1]?.variable_mappings).toContainEqual({
      target_port: "messages",
      selector: ["start", "history"],
    });
    expect(rag.nodes[1]?.variable_mappings).toHaveLength(1); // the original is untouched
  });

  it("leaves workflows that bind messages themselves alone", () => {
    const own = structuredClone(rag);
    own.nodes[1]?.variable_mappings.push({ target_port: "messages", selector: ["start", "query"] });
    expect(wireSessionHistory(own)).toBe(own);
  });

  it("leaves non-V2 JSON alone", () => {
    const v1 = { nodes: [], edges: [] };
    expect(wireSessionHistory(v1)).toBe(v1);
  });
});
