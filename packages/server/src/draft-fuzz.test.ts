import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDraftFuzz } from "./testing/draft-fuzz.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";

/** Fixed, so CI runs the same cases; fast-check prints it with the failing case. Override to explore. */
const SEED = Number(process.env.PORTFLOW_FUZZ_SEED ?? 20_260_201);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("draft fuzz (embedded PGlite)", () => {
  it("2,000 mutations of the rag-bot workflow: no 5xx, every refusal names a body path, every save reads back equal", async () => {
    const { statuses } = await checkDraftFuzz(t, { numRuns: 2_000, seed: SEED });
    // The cases reach both sides of the property.
    expect(statuses[200]).toBeGreaterThan(400);
    expect((statuses[400] ?? 0) + (statuses[413] ?? 0)).toBeGreaterThan(400);
  }, 120_000);
});
