import { ServiceContainer, WorkflowExecutorV2 } from "@portflow/engine";
import { ragWorkflow } from "@portflow/engine/testing";
import { createNodeRegistry } from "@portflow/nodes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botWorkflowTarget } from "./bot-workflow-target.ts";
import { RunTracker } from "./run-tracker.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";
import { WorkflowRunner } from "./workflow-runner.ts";

describe("WorkflowRunner and the bot's workflow target", () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp();
  });
  afterAll(() => test.close());

  it("still runs a published version whose compiled graph was evicted after the target was chosen", async () => {
    const registry = createNodeRegistry();
    const runner = new WorkflowRunner(
      new WorkflowExecutorV2(registry, { services: new ServiceContainer() }),
      new RunTracker(),
    );
    const bot = await test.storage.bots.create({ name: "evicted", useWorkflowV2: true });
    await test.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await test.storage.workflowVersions.publish(bot.id);
    const current = await test.storage.bots.get(bot.id);
    // First chat: compiled and cached.
    const first = await botWorkflowTarget(test.storage, current!);
    runner.compile(first!.target);
    // The next chat picks its target; meanwhile 300 other graphs push it out of the cache.
    const second = await botWorkflowTarget(test.storage, current!);
    for (let i = 0; i < 300; i++) {
      runner.compile({ kind: "v2", graph: ragWorkflow({ topK: 1 + (i % 5) }), cacheKey: `other-${i}` });
    }
    expect(() => runner.compile(second!.target)).not.toThrow();
    expect(runner.compile(second!.target).nodes.map((n) => n.id)).toEqual(["start", "retrieve", "answer", "end"]);
  });

  it("keys the cache by version and checksum, so a target never runs another graph's compiled form", async () => {
    const registry = createNodeRegistry();
    const runner = new WorkflowRunner(new WorkflowExecutorV2(registry), new RunTracker());
    const one = runner.compile({ kind: "v2", graph: ragWorkflow({ topK: 1 }), cacheKey: "v@aaa" });
    const two = runner.compile({ kind: "v2", graph: ragWorkflow({ topK: 2 }), cacheKey: "v@bbb" });
    expect(one).not.toBe(two);
    expect(runner.compile({ kind: "v2", graph: ragWorkflow({ topK: 1 }), cacheKey: "v@aaa" })).toBe(one);
  });
});
