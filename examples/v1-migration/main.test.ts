import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { walkThrough } from "./main.ts";

const dataDir = mkdtempSync(join(tmpdir(), "portflow-v1-migration-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("answers the same before (V1 adapter) and after the migration (V2)", () => {
  const env = { ...process.env, PORTFLOW_DATA_DIR: dataDir, LLM_PROVIDER: "local", DATABASE_URL: "" };
  const { v1Answer, v2Answer, transcript } = walkThrough(env);
  expect(v1Answer).toContain("30 days");
  expect(v2Answer).toBe(v1Answer);
  expect(transcript).toMatch(/would-migrate[\s\S]*dry run: nothing was written/);
  expect(transcript).toMatch(/migrated\s+4\s/);
  expect(transcript).toContain("published version 1");
  expect(transcript).toMatch(/n2\s+v1-node\s+succeeded/);
  expect(transcript).toMatch(/n2\s+knowledge\s+succeeded/);
}, 180_000);
