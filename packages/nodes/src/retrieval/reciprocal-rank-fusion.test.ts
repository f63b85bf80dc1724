import type { RetrievedChunk } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { fuseRankings } from "./reciprocal-rank-fusion.ts";

const hit = (id: string, score: number): RetrievedChunk => ({
  documentId: id,
  chunkIndex: 0,
  content: id,
  metadata: {},
  score,
});

describe("fuseRankings", () => {
  it("puts a chunk ranked well in both lists above one that tops only one, with Σ w/(k + rank)", () => {
    const vector = [hit("a", 0.9), hit("b", 0.8), hit("c", 0.7)];
    const keyword = [hit("d", 12), hit("b", 9)];
    const fused = fuseRankings(
      [
        { chunks: vector, weight: 1 },
        { chunks: keyword, weight: 1 },
      ],
      60,
    );
    expect(fused.map((f) => f.chunk.documentId)).toEqual(["b", "a", "d", "c"]);
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 62, 12);
    expect(fused[0]?.ranks).toEqual([
      { rank: 2, score: 0.8 },
      { rank: 2, score: 9 },
    ]);
    expect(fused[1]?.ranks).toEqual([{ rank: 1, score: 0.9 }, undefined]);
  });

  it("weights tilt the fusion: a heavier keyword list lets its leader win", () => {
    const vector = [hit("a", 0.9), hit("b", 0.8)];
    const keyword = [hit("b", 3), hit("a", 2)];
    const even = fuseRankings([
      { chunks: vector, weight: 1 },
      { chunks: keyword, weight: 1 },
    ]);
    expect(even.map((f) => f.chunk.documentId)).toEqual(["a", "b"]); // a tie: the first list decides
    const tilted = fuseRankings([
      { chunks: vector, weight: 1 },
      { chunks: keyword, weight: 2 },
    ]);
    expect(tilted.map((f) => f.chunk.documentId)).toEqual(["b", "a"]);
  });
});
