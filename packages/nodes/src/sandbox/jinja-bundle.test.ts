import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildJinjaBundle, JINJA_BUNDLE_PATH } from "./jinja-bundle.ts";

describe("jinja-bundle.generated.js", () => {
  it("is what `pnpm --filter @portflow/nodes build:jinja` builds from the installed @huggingface/jinja", async () => {
    expect(readFileSync(JINJA_BUNDLE_PATH, "utf8")).toBe(await buildJinjaBundle());
  });
});
