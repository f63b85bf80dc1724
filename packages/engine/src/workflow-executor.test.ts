import { describe, expect, it } from "vitest";
import type { RunEvent } from "./run-events.ts";
import { ServiceContainer, Services } from "./service-container.ts";
import { createTestRegistry, MemoryRunRecorder, ragWorkflow } from "./testing/index.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import { WorkflowValidationError } from "./workflow-problem.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

const rag = ragWorkflow({ topK: 2, userPrompt: "{{context}} | Q: {{query}}" });

/** start → a, b, c in parallel (each sleeping) → end. */
function fanOut(ms: number, extra: Partial<WorkflowV2Json["nodes"][number]> = {}): WorkflowV2Json {
  const branches = ["a", "b", "c"];
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      ...branches.map((id) => ({ id, type: "sleep", config: { ms }, ...extra })),
      { id: "end", type: "end", variable_mappings: branches.map((b) => ({ target_port: b, selector: [b, "value"] })) },
    ],
    edges: [
      ...branches.map((b) => ({ source: "start", target: b })),
      ...branches.map((b) => ({ source: b, target: "end" })),
    ],
  };
}

describe("WorkflowExecutorV2", () => {
  it("runs start → knowledge → llm → end and returns the end node's outputs with per-node records", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const result = await executor.run(rag, { query: "ports" });
    expect(result.status).toBe("succeeded");
    expect(result.outputs.answer).toBe("answer: [1] fact 1 about ports\n[2] fact 2 about ports | Q: ports");
    expect(result.outputs.sources).toHaveLength(2);
    expect(result.nodes.map((n) => [n.nodeId, n.status, n.stepIndex])).toEqual([
      ["start", "succeeded", 1],
      ["retrieve", "succeeded", 2],
      ["answer", "succeeded", 3],
      ["end", "succeeded", 4],
    ]);
    const llm = result.nodes[2]!;
    expect(llm.processData.prompt).toContain("Q: ports");
    expect(llm.tokens.output).toBeGreaterThan(0);
    expect(result.totals.tokens).toEqual(llm.tokens);
    expect(result.totals.steps).toBe(4);
  });

  it("renders documents wired into a string port as numbered text", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf = structuredClone(rag);
    wf.nodes[2]!.variable_mappings![1] = { target_port: "context", selector: ["retrieve", "documents"] };
    const result = await executor.run(wf, { query: "x" });
    expect(result.outputs.answer).toBe("answer: [1] (doc-1) fact 1 about x\n\n[2] (doc-1) fact 2 about x | Q: x");
  });

  it("emits events in order, also through the async iterator", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const handle = executor.start(rag, { query: "order" });
    const seen: string[] = [];
    for await (const event of handle.events()) {
      seen.push("nodeId" in event ? `${event.type}:${event.nodeId}` : event.type);
    }
    expect(seen).toEqual([
      "run.started",
      "node.started:start",
      "node.finished:start",
      "node.started:retrieve",
      "node.finished:retrieve",
      "node.started:answer",
      "node.chunk:answer",
      "node.chunk:answer",
      "node.finished:answer",
      "node.started:end",
      "node.finished:end",
      "run.finished",
    ]);
  });

  it("streams chunks that concatenate to the node's text", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const handle = executor.start(rag, { query: "stream" });
    let streamed = "";
    handle.on("node.chunk", (e) => {
      streamed += e.chunk;
    });
    const result = await handle.result;
    expect(streamed).toBe(result.outputs.answer);
  });

  it("fails a run whose start inputs are invalid, naming the input", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const result = await executor.run(rag, {});
    expect(result.status).toBe("failed");
    expect(result.error?.nodeId).toBe("start");
    expect(result.error?.message).toContain('input "query" is required');
  });

  it("throws WorkflowValidationError with every problem for an invalid workflow", () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const bad = { ...rag, nodes: rag.nodes.map((n) => (n.id === "answer" ? { ...n, type: "nope" } : n)) };
    expect(() => executor.start(bad, { query: "x" })).toThrow(WorkflowValidationError);
  });

  it("runs independent branches concurrently", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const result = await executor.run(fanOut(60), { query: "x" });
    expect(result.status).toBe("succeeded");
    const sleeps = result.nodes.filter((n) => n.nodeType === "sleep");
    const latestStart = Math.max(...sleeps.map((n) => n.startedAt));
    const earliestFinish = Math.min(...sleeps.map((n) => n.finishedAt));
    // Every branch started before any finished: they overlapped.
    expect(latestStart).toBeLessThan(earliestFinish);
    expect(result.outputs).toEqual({ a: "a", b: "b", c: "c" });
  });

  it("respects a concurrency limit of 1 (branches run one after another)", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry(), { concurrency: 1 });
    const result = await executor.run(fanOut(20), { query: "x" });
    const sleeps = result.nodes.filter((n) => n.nodeType === "sleep");
    for (let i = 1; i < sleeps.length; i++)
      expect(sleeps[i]!.startedAt).toBeGreaterThanOrEqual(sleeps[i - 1]!.finishedAt);
  });

  it("cancels mid-node: the signal reaches the awaiting node and the run ends cancelled", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const controller = new AbortController();
    const handle = executor.start(fanOut(10_000), { query: "x" }, { signal: controller.signal });
    handle.on("node.started", (e) => {
      // node.started is emitted just before the attempt; by the next microtask `c` is awaiting.
      if (e.nodeId === "c") queueMicrotask(() => controller.abort());
    });
    const t0 = performance.now();
    const result = await handle.result;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(result.status).toBe("cancelled");
    expect(result.error?.code).toBe("CANCELLED");
    expect(
      result.nodes
        .filter((n) => n.status === "cancelled")
        .map((n) => n.nodeId)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    expect(result.outputs).toEqual({});
  });

  it("times out a node that ignores its signal", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        { id: "slow", type: "sleep", config: { ms: 5_000, ignore_signal: true }, timeout_ms: 50 },
        { id: "end", type: "end" },
      ],
      edges: [
        { source: "start", target: "slow" },
        { source: "slow", target: "end" },
      ],
    };
    const result = await executor.run(wf, { query: "x" });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("NODE_TIMEOUT");
    expect(result.error?.message).toContain('node "slow" timed out after 50 ms');
  });

  it("retries with exponential backoff, emitting node.retrying with the delays", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf = fanOut(0, { config: { fail_times: 2 }, retry: { max_attempts: 3, initial_delay_ms: 10, backoff: 3 } });
    const handle = executor.start(wf, { query: "x" });
    const retries: { nodeId: string; attempt: number; delayMs: number }[] = [];
    handle.on("node.retrying", ({ nodeId, attempt, delayMs }) => retries.push({ nodeId, attempt, delayMs }));
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    expect(result.nodes.find((n) => n.nodeId === "a")?.attempts).toBe(3);
    expect(retries.filter((r) => r.nodeId === "a")).toEqual([
      { nodeId: "a", attempt: 2, delayMs: 10 },
      { nodeId: "a", attempt: 3, delayMs: 30 },
    ]);
  });

  it("gives up after max_attempts and fails the run", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf = fanOut(0, { config: { fail_times: -1 }, retry: { max_attempts: 2, initial_delay_ms: 1 } });
    const result = await executor.run(wf, { query: "x" });
    expect(result.status).toBe("failed");
    expect(result.nodes.find((n) => n.status === "failed")?.attempts).toBe(2);
  });

  it("default-value: a failed node's declared outputs flow on and the run is partial-succeeded", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf = fanOut(0);
    wf.nodes[1] = {
      id: "a",
      type: "sleep",
      config: { fail_times: -1 },
      error_strategy: "default-value",
      default_outputs: { value: "fallback" },
    };
    const result = await executor.run(wf, { query: "x" });
    expect(result.status).toBe("partial-succeeded");
    expect(result.outputs).toEqual({ a: "fallback", b: "b", c: "c" });
    expect(result.nodes.find((n) => n.nodeId === "a")).toMatchObject({ status: "failed", handledBy: "default-value" });
  });

  it("fail-branch: the fail port's downstream runs, the normal downstream is skipped", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        { id: "risky", type: "sleep", config: { fail_times: -1 }, error_strategy: "fail-branch" },
        { id: "normal", type: "template", config: { template: "ok" } },
        {
          id: "apology",
          type: "template",
          config: { template: "sorry: {{why.message}}" },
          variable_mappings: [{ target_port: "why", selector: ["risky", "error"] }],
        },
        {
          id: "end",
          type: "end",
          variable_mappings: [
            { target_port: "normal", selector: ["normal", "text"] },
            { target_port: "apology", selector: ["apology", "text"] },
          ],
        },
      ],
      edges: [
        { source: "start", target: "risky" },
        { source: "risky", target: "normal" },
        { source: "risky", source_port: "fail", target: "apology" },
        { source: "normal", target: "end" },
        { source: "apology", target: "end" },
      ],
    };
    const result = await executor.run(wf, { query: "x" });
    expect(result.status).toBe("partial-succeeded");
    // The skipped normal path's mapped output is null, not missing.
    expect(result.outputs).toEqual({ normal: null, apology: "sorry: planned failure on attempt 1" });
    expect(result.nodes.find((n) => n.nodeId === "normal")?.status).toBe("skipped");
  });

  it("if-else: only the taken branch runs; the join runs once one incoming branch was taken", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        {
          id: "route",
          type: "if-else",
          config: {
            cases: [{ id: "greeting", conditions: [{ input: "q", operator: "starts-with", value: "hello" }] }],
          },
          variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
        },
        { id: "greet", type: "template", config: { template: "hi there" } },
        { id: "other", type: "template", config: { template: "you asked: {{sys.query}}" } },
        {
          id: "end",
          type: "end",
          variable_mappings: [
            { target_port: "greet", selector: ["greet", "text"] },
            { target_port: "other", selector: ["other", "text"] },
          ],
        },
      ],
      edges: [
        { source: "start", target: "route" },
        { source: "route", source_port: "greeting", target: "greet" },
        { source: "route", source_port: "false", target: "other" },
        { source: "greet", target: "end" },
        { source: "other", target: "end" },
      ],
    };
    const hello = await executor.run(wf, { query: "hello bot" });
    expect(hello.status).toBe("succeeded");
    expect(hello.outputs).toEqual({ greet: "hi there", other: null });
    expect(hello.nodes.find((n) => n.nodeId === "other")?.status).toBe("skipped");
    const other = await executor.run(wf, { query: "what?" });
    expect(other.outputs).toEqual({ greet: null, other: "you asked: what?" });
  });

  it("stops at the step limit and at the run time limit", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const steps = await executor.run(fanOut(0), { query: "x" }, { maxSteps: 3 });
    expect(steps.status).toBe("failed");
    expect(steps.error?.code).toBe("STEP_LIMIT");
    const slow = await executor.run(fanOut(2_000), { query: "x" }, { timeoutMs: 50 });
    expect(slow.status).toBe("failed");
    expect(slow.error?.code).toBe("RUN_TIMEOUT");
  });

  it("records the run start, each node as it finishes, then the run end", async () => {
    const recorder = new MemoryRunRecorder();
    const services = new ServiceContainer().register(Services.RunRecorder, recorder);
    const executor = new WorkflowExecutorV2(createTestRegistry(), { services });
    const events: RunEvent[] = [];
    const handle = executor.start(rag, { query: "rec" }, { system: { bot_id: "bot-1" }, record: { trigger: "api" } });
    handle.on("node.finished", (e) => events.push(e));
    const result = await handle.result;
    expect(recorder.started).toMatchObject([
      { runId: result.runId, botId: "bot-1", trigger: "api", inputs: { query: "rec" } },
    ]);
    expect(recorder.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve", "answer", "end"]);
    expect(recorder.finished).toMatchObject([{ runId: result.runId, status: "succeeded", totalSteps: 4 }]);
  });

  it("reports a write that failed after the last node on the result, and announces nothing after it", async () => {
    const recorder = new MemoryRunRecorder();
    recorder.nodeFinished = async (node) => {
      if (node.nodeId === "answer") throw new Error("disk full");
    };
    const services = new ServiceContainer().register(Services.RunRecorder, recorder);
    const handle = new WorkflowExecutorV2(createTestRegistry(), { services }).start(rag, { query: "x" });
    const announced: string[] = [];
    handle.on("node.finished", (e) => announced.push(e.nodeId));
    const result = await handle.result;
    // The stub nodes all finished before the write failed: the run did succeed, its record did not.
    expect(result.status).toBe("succeeded");
    expect(result.recordingErrors).toEqual([{ message: "disk full" }]);
    expect(announced).toEqual(["start", "retrieve"]);
  });

  it("gives each run its own service scope: per-run registrations reach only that run", async () => {
    const recorder = new MemoryRunRecorder();
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const recorded = await executor.run(
      rag,
      { query: "a" },
      {
        configureServices: (scope) => scope.register(Services.RunRecorder, recorder),
      },
    );
    const unrecorded = await executor.run(rag, { query: "b" });
    expect(recorder.finished.map((r) => r.runId)).toEqual([recorded.runId]);
    expect(unrecorded.status).toBe("succeeded");
    expect(executor.services.has(Services.RunRecorder)).toBe(false);
  });

  it("names the token and the node when a service is missing", async () => {
    const registry = createTestRegistry();
    const { BaseNodeV2 } = await import("./base-node.ts");
    const { z } = await import("zod");
    class NeedsEmbedder extends BaseNodeV2<Record<string, never>> {
      readonly type = "needs-embedder";
      readonly configSchema = z.object({});
      ports() {
        return { inputs: [], outputs: [] };
      }
      run(_inputs: Record<string, unknown>, ctx: import("./base-node.ts").NodeContext) {
        ctx.services.resolve(Services.Embedder);
        return { outputs: {} };
      }
    }
    registry.register(new NeedsEmbedder());
    const wf: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        { id: "embed", type: "needs-embedder" },
        { id: "end", type: "end" },
      ],
      edges: [
        { source: "start", target: "embed" },
        { source: "embed", target: "end" },
      ],
    };
    const result = await new WorkflowExecutorV2(registry).run(wf, { query: "x" });
    expect(result.error?.message).toContain('service "Embedder" is not registered (asked for by node "embed")');
  });
});
