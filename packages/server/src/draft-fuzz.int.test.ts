/** The draft fuzz property again, smaller, against a real PostgreSQL (jsonb there is the real thing). */
import { startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDraftFuzz } from "./testing/draft-fuzz.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";

const SEED = Number(process.env.PORTFLOW_FUZZ_SEED ?? 20_260_202);
const postgres = await startPostgresServer();

describe.skipIf(postgres === undefined)(`draft fuzz (PostgreSQL ${postgres?.major ?? "unavailable"})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ databaseUrl: await postgres!.createDatabase("draft_fuzz") });
  });
  afterAll(async () => {
    await t?.close();
    await postgres?.stop();
  });

  it("400 mutations of the rag-bot workflow: no 5xx, every refusal names a body path, every save reads back equal", async () => {
    const { statuses } = await checkDraftFuzz(t, { numRuns: 400, seed: SEED });
    expect(statuses[200]).toBeGreaterThan(80);
    expect((statuses[400] ?? 0) + (statuses[413] ?? 0)).toBeGreaterThan(80);
  }, 120_000);
});
