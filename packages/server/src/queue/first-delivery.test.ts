/**
 * `RunService.execute` as a worker calls it for a job: with the spec the job carries, and (on a
 * first delivery) whether the run is still queued, so the run's row need not be read back.
 */
import type { Storage } from "@portflow/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunService } from "../run-service.ts";
import type { RunSpec } from "../run-spec.ts";
import { draftRunSpec } from "../testing/draft-run-spec.ts";
import { notingRowReads, openInMemoryRunService } from "../testing/in-memory-run-service.ts";
import { SHOUT_WORKFLOW } from "../testing/workflows.ts";

let storage: Storage;
let service: RunService;
/** Run ids whose row the service read back (`runSpecs.get`). */
const rowReads: string[] = [];

beforeAll(async () => {
  ({ storage, service } = await openInMemoryRunService({ storage: notingRowReads(rowReads) }));
});
afterAll(async () => {
  await storage?.close();
});

async function submitted(): Promise<{ botId: string; runId: string; spec: RunSpec }> {
  const botId = (await storage.bots.create({ name: "delivered" })).id;
  const draft = await storage.workflowVersions.saveDraft(botId, SHOUT_WORKFLOW);
  const spec = draftRunSpec(botId, draft, "hello");
  return { botId, runId: await service.submit(spec), spec };
}

describe("executing a delivered job", () => {
  it("a first delivery carrying its spec starts the run without reading its row back, and records it", async () => {
    const { botId, runId, spec } = await submitted();
    const handle = await service.execute(runId, { spec, queued: Promise.resolve(true) });
    expect(await handle?.result).toMatchObject({ runId, status: "succeeded", outputs: { answer: "hello!" } });
    expect(rowReads).not.toContain(runId);
    const recorded = await storage.runs.get(botId, runId);
    expect(recorded?.status).toBe("succeeded");
    expect(recorded?.nodes.map((n) => n.nodeId)).toEqual(["start", "shout", "end"]);
  });

  it("when the run may not be queued any more (a cancel was announced), its row decides: a cancelled run does not run", async () => {
    const { botId, runId, spec } = await submitted();
    expect(await service.cancel(runId)).toBe("cancelled");
    expect(await service.execute(runId, { spec, queued: Promise.resolve(false) })).toBeUndefined();
    expect(rowReads).toContain(runId);
    const recorded = await storage.runs.get(botId, runId);
    expect({ status: recorded?.status, nodes: recorded?.nodes }).toEqual({ status: "cancelled", nodes: [] });
  });

  it("a carried spec that does not parse is not trusted: the run executes from the spec in its row", async () => {
    const { runId } = await submitted();
    const handle = await service.execute(runId, { spec: { spec_version: 99 }, queued: Promise.resolve(true) });
    expect(await handle?.result).toMatchObject({ status: "succeeded", outputs: { answer: "hello!" } });
    expect(rowReads).toContain(runId);
  });
});
