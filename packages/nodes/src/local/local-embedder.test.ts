import { describe, expect, it } from "vitest";
import { LocalEmbedder } from "./local-embedder.ts";

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe("LocalEmbedder", () => {
  it("returns one L2-normalised vector of the configured size per text", async () => {
    const embedder = new LocalEmbedder({ dimensions: 256 });
    const { vectors, inputTokens } = await embedder.embed(["Refunds take five days.", "환불은 5일 걸립니다."]);
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      expect(v).toHaveLength(256);
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
    }
    expect(inputTokens).toBe(7);
  });

  it("defaults to 1024 dimensions and is deterministic across instances", async () => {
    const a = await new LocalEmbedder().embed(["the same text"]);
    const b = await new LocalEmbedder().embed(["the same text"]);
    expect(a.vectors[0]).toHaveLength(1024);
    expect(a.vectors[0]).toEqual(b.vectors[0]);
  });

  it("ranks lexically related texts above unrelated ones, in English and Korean", async () => {
    const embedder = new LocalEmbedder();
    const [q, related, unrelated, qKo, relatedKo, unrelatedKo] = (
      await embedder.embed([
        "how long do refunds take",
        "Refunds are processed within five business days.",
        "Our office is closed on public holidays.",
        "환불 처리 기간",
        "환불은 영업일 기준 5일 이내에 처리됩니다.",
        "사무실은 공휴일에 문을 닫습니다.",
      ])
    ).vectors as number[][];
    expect(dot(q as number[], related as number[])).toBeGreaterThan(dot(q as number[], unrelated as number[]));
    expect(dot(qKo as number[], relatedKo as number[])).toBeGreaterThan(dot(qKo as number[], unrelatedKo as number[]));
  });

  it("gives the zero vector for text without words, and honours an aborted signal", async () => {
    const embedder = new LocalEmbedder({ dimensions: 16 });
    expect((await embedder.embed(["   ...   "])).vectors[0]).toEqual(new Array(16).fill(0));
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(["x"], { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("refuses silly dimensions", () => {
    expect(() => new LocalEmbedder({ dimensions: 0 })).toThrow(RangeError);
  });
});
