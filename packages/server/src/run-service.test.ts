import type { Storage } from "@portflow/storage";
import type { StatementCounter } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunService } from "./run-service.ts";
import type { RunSpec } from "./run-spec.ts";
import { openInMemoryRunService } from "./testing/in-memory-run-service.ts";
import { SHOUT_WORKFLOW } from "./testing/workflows.ts";

let storage: Storage;
let service: RunService;
let statements: StatementCounter;

beforeAll(async () => {
  ({ storage, service, statements } = await openInMemoryRunService());
});
afterAll(async () => {
  await storage?.close();
});

async function specFor(botId: string): Promise<RunSpec> {
  const draft = await storage.workflowVersions.saveDraft(botId, SHOUT_WORKFLOW);
  return {
    spec_version: 1,
    bot_id: botId,
    target: { kind: "version", workflow_version_id: draft?.id ?? "", checksum: draft?.checksum ?? "" },
    inputs: { query: "hello" },
    system: { query: "hello" },
    trigger: "api",
    history: [{ role: "user", content: "earlier" }],
  };
}

describe("RunService", () => {
  it("submit stores the run queued with its spec and runs nothing; execute(runId) runs it from the stored spec", async () => {
    const bot = await storage.bots.create({ name: "svc" });
    const spec = await specFor(bot.id);
    const runId = await service.submit(spec);
    const queued = await storage.runs.get(bot.id, runId);
    expect(queued).toMatchObject({ status: "queued", trigger: "api", nodes: [] });
    expect(queued?.inputs).toEqual({ query: "hello", history: [{ role: "user", content: "earlier" }] });
    expect((await storage.runSpecs.get(runId))?.spec).toEqual(spec);

    const handle = await service.execute(runId);
    const result = await handle?.result;
    expect(result).toMatchObject({ runId, status: "succeeded", outputs: { answer: "hello!" } });
    const recorded = await storage.runs.get(bot.id, runId);
    expect(recorded?.status).toBe("succeeded");
    expect(recorded?.nodes.map((n) => n.nodeId)).toEqual(["start", "shout", "end"]);
    // A finished run is not executed again.
    expect(await service.execute(runId)).toBeUndefined();
  });

  it("refuses a spec whose draft changed since it was submitted: the run is recorded failed with workflow_changed", async () => {
    const bot = await storage.bots.create({ name: "svc" });
    const spec = await specFor(bot.id);
    const runId = await service.submit(spec);
    const draft = await storage.workflowVersions.getDraft(bot.id);
    await storage.workflowVersions.saveDraft(
      bot.id,
      { ...SHOUT_WORKFLOW, name: "edited" },
      { expectedRevision: draft?.revision ?? 0 },
    );
    await expect(service.execute(runId)).rejects.toMatchObject({ statusCode: 409, code: "workflow_changed" });
    expect(await storage.runs.get(bot.id, runId)).toMatchObject({
      status: "failed",
      error: { code: "workflow_changed" },
    });
  });

  it("a draft run reads its workflow version once when submitted and once when executed; a published version is read once per process", async () => {
    const bot = await storage.bots.create({ name: "svc" });
    const spec = await specFor(bot.id);
    statements.reset();
    const draftRun = await service.submit(spec);
    expect(statements.selectsFrom("bot_workflow_versions")).toBe(1);
    expect(await (await service.execute(draftRun))?.result).toMatchObject({ status: "succeeded" });
    expect(statements.selectsFrom("bot_workflow_versions")).toBe(2);

    const published = await storage.workflowVersions.publish(bot.id);
    const target = { kind: "version" as const, workflow_version_id: published.id, checksum: published.checksum };
    statements.reset();
    const runs = [await service.submit({ ...spec, target }), await service.submit({ ...spec, target })];
    for (const runId of runs) {
      expect(await (await service.execute(runId))?.result).toMatchObject({ status: "succeeded" });
    }
    expect(statements.selectsFrom("bot_workflow_versions")).toBe(1);
  });

  it("cancels a queued run before it starts: recorded cancelled, and execute then runs nothing", async () => {
    const bot = await storage.bots.create({ name: "svc" });
    const runId = await service.submit(await specFor(bot.id));
    expect(await service.cancel(runId)).toBe("cancelled");
    expect((await storage.runs.get(bot.id, runId))?.status).toBe("cancelled");
    expect(await service.execute(runId)).toBeUndefined();
  });
});
