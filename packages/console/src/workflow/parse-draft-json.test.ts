import { describe, expect, it } from "vitest";
import { parseDraftJson } from "./parse-draft-json.ts";

describe("parseDraftJson", () => {
  it("accepts a JSON object and refuses broken JSON or a non-object with a message", () => {
    expect(parseDraftJson('{"nodes":[]}')).toEqual({ ok: true, graph: { nodes: [] } });
    const broken = parseDraftJson('{"nodes": [');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.message).toMatch(/^Not valid JSON/);
    expect(parseDraftJson("[1]")).toEqual({
      ok: false,
      message: "The workflow must be a JSON object with nodes and edges.",
    });
  });
});
