import { describe, expect, it } from "vitest";
import { looksLikeMarkdown } from "./looks-like-markdown.ts";

describe("looksLikeMarkdown", () => {
  it("takes headings, lists and fences for Markdown", () => {
    expect(
      looksLikeMarkdown(
        "# 장애 대응 절차\n\n이 문서는 절차입니다.\n\n## 장애 등급\n\n- SEV1: 전체 중단\n- SEV2: 일부 기능",
      ),
    ).toBe(true);
    expect(looksLikeMarkdown("Run this:\n\n```bash\n./deploy.sh\n```\n\nThen wait.")).toBe(true);
    expect(looksLikeMarkdown("# Title\n\nbody")).toBe(true);
  });

  it("leaves prose with a stray dash, a numbered list or one '#' line among many as text", () => {
    expect(looksLikeMarkdown("Dear team,\n- the usual caveat applies.\nThanks, Kim")).toBe(false);
    expect(looksLikeMarkdown("Steps:\n1. open the valve\n2. wait\n3. close it")).toBe(false);
    const prose = Array.from({ length: 30 }, (_, i) => `Line ${i} of a long plain letter.`).join("\n");
    expect(looksLikeMarkdown(`${prose}\n# not really a heading\n${prose}`)).toBe(false);
    expect(looksLikeMarkdown("")).toBe(false);
  });
});
