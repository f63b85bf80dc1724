import { WorkflowExecutorV2 } from "@portflow/engine";
import { singleNodeWorkflow } from "@portflow/engine/testing";
import { createNodeRegistry, toFileValue } from "@portflow/nodes";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { nodeRegistryOptionsOf, openRuntime } from "./portflow-runtime.ts";

describe("nodeRegistryOptionsOf", () => {
  it("bounds code nodes by the configured sandbox maxima", () => {
    const config = loadConfig({ PORTFLOW_SANDBOX_MAX_TIME_MS: "10000", PORTFLOW_SANDBOX_MAX_MEMORY_MB: "128" });
    const code = createNodeRegistry(nodeRegistryOptionsOf(config))
      .describe()
      .find((d) => d.type === "code");
    expect(code?.config_schema).toMatchObject({
      properties: { limits: { properties: { time_ms: { maximum: 10_000 }, memory_mb: { maximum: 128 } } } },
    });
  });

  it("gives code nodes without limits the configured default time", async () => {
    const config = loadConfig({ PORTFLOW_SANDBOX_TIME_MS: "300" });
    const executor = new WorkflowExecutorV2(createNodeRegistry(nodeRegistryOptionsOf(config)));
    const workflow = singleNodeWorkflow({
      inputs: [],
      node: {
        id: "spin",
        type: "code",
        config: { language: "javascript", code: "function main() { while (true) {} }", outputs: [] },
      },
      outputs: [],
    });
    const result = await executor.run(workflow, {});
    expect(result.nodes.find((n) => n.nodeId === "spin")?.error).toMatchObject({
      code: "SANDBOX_TIMEOUT",
      message: expect.stringContaining("300 ms"),
    });
  });

  it("holds document-extractor to the upload size limit, naming PORTFLOW_MAX_UPLOAD_BYTES", async () => {
    const config = loadConfig({ PORTFLOW_MAX_UPLOAD_BYTES: "100" });
    const executor = new WorkflowExecutorV2(createNodeRegistry(nodeRegistryOptionsOf(config)));
    const workflow = singleNodeWorkflow({
      inputs: [{ name: "files", type: "file", required: true }],
      node: { id: "extract", type: "document-extractor", config: {} },
      outputs: [["text", "text"]],
    });
    const file = toFileValue("notes.txt", "text/plain", new TextEncoder().encode("x".repeat(101)));
    const result = await executor.run(workflow, { files: file });
    expect(result.nodes.find((n) => n.nodeId === "extract")?.error).toEqual({
      code: "TOO_LARGE",
      message:
        "notes.txt: the file (101 bytes) is larger than the upload limit of 100 bytes (PORTFLOW_MAX_UPLOAD_BYTES)",
    });
  });
});

describe("openRuntime", () => {
  it("gives the chunk store the PORTFLOW_HNSW_* policy; on embedded PGlite it builds no index by itself", async () => {
    const config = loadConfig({
      PORTFLOW_DATA_DIR: "memory://",
      PORTFLOW_HNSW_MIN_CHUNKS: "500",
      PORTFLOW_HNSW_EF_SEARCH: "300",
      PORTFLOW_HNSW_CANDIDATE_FACTOR: "8",
      PORTFLOW_HNSW_MIN_RECALL: "0.9",
      PORTFLOW_HNSW_MAX_EF_SEARCH: "600",
    });
    const runtime = await openRuntime(config);
    try {
      expect(runtime.storage.vectors.hnswPolicy).toMatchObject({
        minChunks: 500,
        efSearch: 300,
        candidateFactor: 8,
        minRecall: 0.9,
        maxEfSearch: 600,
      });
      expect(runtime.storage.vectors.buildsIndexesAutomatically).toBe(false);
    } finally {
      await runtime.close();
    }
  }, 120_000); // opening and migrating PGlite takes seconds, more on a loaded machine
});
