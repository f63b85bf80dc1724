import type { RunEvent } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { MemoryRunEventLog } from "./memory-run-event-log.ts";
import { runFinishedEvent as finished } from "./testing/run-finished-event.ts";

const started = (runId: string): RunEvent => ({ type: "run.started", runId, startedAt: 0 });
const nodeStarted = (runId: string, nodeId: string): RunEvent => ({
  type: "node.started",
  runId,
  nodeId,
  nodeType: "template",
  attempt: 1,
});

describe("MemoryRunEventLog", () => {
  it("a reader still gets the events appended, run.finished last, while it was handing out earlier ones", async () => {
    const log = new MemoryRunEventLog();
    await log.append("r", started("r"));
    await log.append("r", nodeStarted("r", "a"));
    const reader = log.read("r")[Symbol.asyncIterator]();
    expect((await reader.next()).value?.event.type).toBe("run.started");
    // The run ends in a burst while the reader holds the first event of its batch.
    await log.append("r", nodeStarted("r", "b"));
    await log.append("r", finished("r"));
    const rest: string[] = [];
    for (let step = await reader.next(); !step.done; step = await reader.next()) {
      rest.push(
        step.value.event.type === "node.started" ? `node.started ${step.value.event.nodeId}` : step.value.event.type,
      );
    }
    expect(rest).toEqual(["node.started a", "node.started b", "run.finished"]);
  });

  it("keeps the logs of the latest maxFinishedRuns finished runs: an older one reads as empty", async () => {
    const log = new MemoryRunEventLog({ maxFinishedRuns: 2 });
    for (const runId of ["a", "b", "c"]) {
      await log.append(runId, started(runId));
      await log.append(runId, finished(runId));
    }
    const read = async (runId: string) => {
      const types: string[] = [];
      for await (const { event } of log.read(runId, { waitMs: 0 })) types.push(event.type);
      return types;
    };
    expect(await read("a")).toEqual([]);
    expect(await read("b")).toEqual(["run.started", "run.finished"]);
    expect(await read("c")).toEqual(["run.started", "run.finished"]);
  });

  it("drops a finished run's log after keepMs, while a run in progress keeps its events", async () => {
    const log = new MemoryRunEventLog({ keepMs: 0 });
    await log.append("done", started("done"));
    await log.append("done", finished("done"));
    await log.append("running", started("running"));
    const types: string[] = [];
    for await (const { event } of log.read("done", { waitMs: 0 })) types.push(event.type);
    expect(types).toEqual([]);
    const reader = log.read("running", { waitMs: 0 })[Symbol.asyncIterator]();
    expect((await reader.next()).value?.event.type).toBe("run.started");
  });
});
