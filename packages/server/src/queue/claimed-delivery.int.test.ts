/**
 * A job's first delivery claims its run: `RunService.execute(runId, { spec, claim: true })` starts
 * the run straight from `queued` in one conditional write, on a real PostgreSQL (a claim and a
 * cancel race on separate connections there).
 */
import type { Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunService } from "../run-service.ts";
import type { RunSpec } from "../run-spec.ts";
import { draftRunSpec } from "../testing/draft-run-spec.ts";
import { notingRowReads, openInMemoryRunService } from "../testing/in-memory-run-service.ts";
import { SHOUT_WORKFLOW } from "../testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();

let storage: Storage;
let service: RunService;
/** Run ids whose row the service read back (`runSpecs.get`). */
const rowReads: string[] = [];

const cancelled = { status: "cancelled", error: { message: "run was cancelled", code: "CANCELLED" } } as const;

describe.runIf(postgres !== undefined)("a first delivery claims its queued run", () => {
  beforeAll(async () => {
    ({ storage, service } = await openInMemoryRunService({
      databaseUrl: postgres?.url ?? "",
      storage: notingRowReads(rowReads),
    }));
  });
  afterAll(async () => {
    await storage?.close();
    await postgres?.stop();
  });

  async function submitted(): Promise<{ botId: string; runId: string; spec: RunSpec }> {
    const botId = (await storage.bots.create({ name: "claimed" })).id;
    const draft = await storage.workflowVersions.saveDraft(botId, SHOUT_WORKFLOW);
    const spec = draftRunSpec(botId, draft, "hello");
    return { botId, runId: await service.submit(spec), spec };
  }

  it("runs it without reading its row back: recorded running under this process from its start, then succeeded", async () => {
    const { botId, runId, spec } = await submitted();
    const handle = await service.execute(runId, { spec, claim: true });
    const statusAtStart = new Promise<string | undefined>((resolve) => {
      handle?.on("run.started", () => void storage.runSpecs.get(runId).then((row) => resolve(row?.status)));
    });
    expect(await handle?.result).toMatchObject({ runId, status: "succeeded", outputs: { answer: "hello!" } });
    expect(await statusAtStart).toBe("running");
    expect(rowReads).not.toContain(runId);
    const recorded = await storage.runs.get(botId, runId);
    expect(recorded?.status).toBe("succeeded");
    expect(recorded?.nodes.map((n) => n.nodeId)).toEqual(["start", "shout", "end"]);
  });

  it("a run cancelled while queued loses the claim: it does not run, and stays cancelled", async () => {
    const { botId, runId, spec } = await submitted();
    // Recorded cancelled with no announcement on Redis: the row alone decides.
    expect(await storage.runSpecs.finishQueued(runId, cancelled)).toBe(true);
    expect(await service.execute(runId, { spec, claim: true })).toBeUndefined();
    const recorded = await storage.runs.get(botId, runId);
    expect({ status: recorded?.status, nodes: recorded?.nodes }).toEqual({ status: "cancelled", nodes: [] });
  });

  it("a claim and a cancel of the same queued run, sent at once: exactly one wins, and the row says which", async () => {
    for (let i = 0; i < 20; i++) {
      const { runId } = await submitted();
      const [claimed, cancelledFirst] = await Promise.all([
        storage.recorder.claimQueued(runId),
        storage.runSpecs.finishQueued(runId, cancelled),
      ]);
      expect(claimed).not.toBe(cancelledFirst);
      const status = (await storage.runSpecs.get(runId))?.status;
      expect(status).toBe(claimed ? "running" : "cancelled");
      // A claimed run left running here is finished, so the recorder's heartbeat lets go of it.
      if (claimed) await storage.recorder.runFinished(finishedRecord(runId));
    }
  });

  it("a job delivered again (its run started already) loses the claim and continues the run from its row", async () => {
    const { botId, runId, spec } = await submitted();
    expect(await storage.recorder.claimQueued(runId)).toBe(true);
    const handle = await service.execute(runId, { spec, claim: true });
    expect(await handle?.result).toMatchObject({ status: "succeeded", outputs: { answer: "hello!" } });
    expect(rowReads).toContain(runId);
    expect((await storage.runs.get(botId, runId))?.nodes.map((n) => n.nodeId)).toEqual(["start", "shout", "end"]);
  });
});

function finishedRecord(runId: string) {
  return {
    runId,
    status: "cancelled" as const,
    outputs: {},
    totalSteps: 0,
    tokens: { input: 0, output: 0 },
    elapsedMs: 0,
    finishedAt: new Date(),
  };
}
