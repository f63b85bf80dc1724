/** Imports the engine, runs linear-4 warm, prints RSS in MB. Bundled and run with plain node by the bench. */
import { WorkflowExecutorV2 } from "../src/index.ts";
import { createTestRegistry } from "../src/testing/index.ts";
import { ragLinear4 } from "./workflows.ts";

const executor = new WorkflowExecutorV2(createTestRegistry());
executor.events.on("node.finished", () => {});
const rssAfter = async (runs: number) => {
  for (let i = 0; i < runs; i++) await executor.run(ragLinear4, { query: "warm" });
  globalThis.gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
};
const warm = await rssAfter(100);
const sustained = await rssAfter(10_000);
process.stdout.write(JSON.stringify({ warm, sustained }));
