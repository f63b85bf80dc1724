import { describe, expect, it } from "vitest";
import { runPortflowProcess } from "../run-portflow-process.ts";

describe("portflow db migrate", () => {
  it("applies the migrations to a fresh database", { timeout: 60_000 }, async () => {
    const result = await runPortflowProcess(["db", "migrate"], { dataDir: "memory://" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "applied: 0001_initial\napplied: 0002_fractional_elapsed\napplied: 0003_unique_document_content\napplied: 0004_api_key_scopes\napplied: 0005_node_execution_rounds\napplied: 0006_conversation_variables\napplied: 0007_bot_secrets\napplied: 0008_chunk_toast_target\napplied: 0009_chunk_keywords\napplied: 0010_run_specs\napplied: 0011_run_values\napplied: 0012_run_statistics_rollup\napplied: 0013_chunk_keywords_uncompressed\napplied: 0014_keyword_statistics\napplied: 0016_keyword_postings\napplied: 0017_statistics_rollup_shards\napplied: 0018_nearest_chunks\napplied: 0019_keyword_chunks\napplied: 0020_hnsw_calibrations\ndatabase memory:// is up to date\n",
    );
  });
});
