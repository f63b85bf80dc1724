import { describe, expect, it } from "vitest";
import type { RunEvent } from "./run-events.ts";
import { ServiceContainer, Services } from "./service-container.ts";
import type { NodeExecutionRecord, RecorderWrite, RunRecorder, RunStartRecord } from "./services.ts";
import { createTestRegistry, MemoryRunRecorder, ragWorkflow } from "./testing/index.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

const rag = ragWorkflow({ topK: 1 });

/** A recorder whose writes complete only when the test releases them, one at a time. */
class GatedRecorder implements RunRecorder {
  readonly stored: string[] = [];
  readonly #waiting: (() => void)[] = [];
  #notify: (() => void) | undefined;

  runStarted(run: RunStartRecord): Promise<void> {
    return this.#gate(`run started ${run.runId}`);
  }
  nodeFinished(node: NodeExecutionRecord): Promise<void> {
    return this.#gate(`node ${node.nodeId}`);
  }
  runFinished(): Promise<void> {
    return this.#gate("run finished");
  }

  /** Resolves once a write is waiting. */
  async nextWrite(): Promise<void> {
    while (this.#waiting.length === 0) await new Promise<void>((resolve) => (this.#notify = resolve));
  }

  /** Lets the oldest waiting write complete. */
  release(): void {
    this.#waiting.shift()?.();
  }

  #gate(label: string): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(() => {
        this.stored.push(label);
        resolve();
      });
      this.#notify?.();
    });
  }
}

function executorWith(recorder: RunRecorder): WorkflowExecutorV2 {
  return new WorkflowExecutorV2(createTestRegistry(), {
    services: new ServiceContainer().register(Services.RunRecorder, recorder),
  });
}

/**
 * The memory recorder with `writeMany`: each call's writes, labelled, in call order. A single
 * node write takes 5 ms, so what the run does meanwhile queues up behind it.
 */
class BatchingRecorder extends MemoryRunRecorder {
  readonly calls: string[][] = [];
  failOn: string | undefined;

  override async nodeFinished(node: NodeExecutionRecord): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (node.nodeId === this.failOn) throw new Error("disk full");
    this.calls.push([node.nodeId]);
    this.nodes.push(node);
  }

  async writeMany(writes: readonly RecorderWrite[]): Promise<void> {
    const labels = writes.map((w) => (w.kind === "node" ? w.node.nodeId : "finish"));
    this.calls.push(labels);
    if (this.failOn !== undefined && labels.includes(this.failOn)) throw new Error(`cannot store ${this.failOn}`);
    for (const w of writes) {
      if (w.kind === "node") this.nodes.push(w.node);
      else this.finished.push(w.run);
    }
  }
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("run events and the recorder", () => {
  it("announces run.started only once the run row is stored, and runs no node before it", async () => {
    const recorder = new GatedRecorder();
    const handle = executorWith(recorder).start(rag, { query: "q" });
    const seen: string[] = [];
    handle.on("run.started", () => seen.push("run.started"));
    handle.on("node.started", (e) => seen.push(`started ${e.nodeId}`));
    await recorder.nextWrite();
    await settle();
    expect(seen).toEqual([]);
    recorder.release();
    await settle();
    expect(seen).toEqual(["run.started", "started start"]);
    while (recorder.stored.at(-1) !== "run finished") {
      await recorder.nextWrite();
      recorder.release();
      await settle();
    }
    await handle.result;
  });

  it("announces each node.finished only after that node's record is stored, keeping event order", async () => {
    const recorder = new GatedRecorder();
    const handle = executorWith(recorder).start(rag, { query: "q" });
    const events: string[] = [];
    const storedWhenAnnounced: string[][] = [];
    for (const name of ["run.started", "node.started", "node.finished", "run.finished"] as const) {
      handle.on(name, (e: RunEvent) => {
        events.push("nodeId" in e ? `${name} ${e.nodeId}` : name);
        if (name === "node.finished") storedWhenAnnounced.push([...recorder.stored]);
      });
    }
    const result = handle.result;
    while (recorder.stored.at(-1) !== "run finished") {
      await recorder.nextWrite();
      recorder.release();
      await settle();
    }
    await result;
    // Every node.finished saw its own row stored already.
    const announced = events.filter((e) => e.startsWith("node.finished")).map((e) => e.split(" ")[1]);
    expect(announced).toEqual(["start", "retrieve", "answer", "end"]);
    for (const [i, nodeId] of announced.entries()) expect(storedWhenAnnounced[i]).toContain(`node ${nodeId}`);
    expect(events).toEqual([
      "run.started",
      "node.started start",
      "node.finished start",
      "node.started retrieve",
      "node.finished retrieve",
      "node.started answer",
      "node.finished answer",
      "node.started end",
      "node.finished end",
      "run.finished",
    ]);
  });

  it("runs nothing and fails with RECORDING_FAILED when the run row cannot be written", async () => {
    const recorder = new MemoryRunRecorder();
    recorder.runStarted = async () => {
      throw new Error("connection refused");
    };
    const handle = executorWith(recorder).start(rag, { query: "q" });
    const announced: string[] = [];
    handle.on("run.started", () => announced.push("run.started"));
    handle.on("node.started", (e) => announced.push(e.nodeId));
    const result = await handle.result;
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("RECORDING_FAILED");
    expect(result.error?.message).toContain("connection refused");
    expect(result.nodes).toEqual([]);
    expect(announced).toEqual([]);
    expect(result.recordingErrors).toEqual([{ message: "connection refused" }]);
  });

  it("stops a run whose node record cannot be written and announces nothing after it", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start" },
        { id: "quick", type: "sleep", config: { ms: 0 } },
        { id: "slow", type: "sleep", config: { ms: 60_000 } },
        { id: "end", type: "end" },
      ],
      edges: [
        { source: "start", target: "quick" },
        { source: "quick", target: "slow" },
        { source: "slow", target: "end" },
      ],
    };
    const recorder = new MemoryRunRecorder();
    recorder.nodeFinished = async (node) => {
      if (node.nodeId === "quick") throw new Error("disk full");
      recorder.nodes.push(node);
    };
    const handle = executorWith(recorder).start(workflow, { query: "q" });
    const finished: string[] = [];
    handle.on("node.finished", (e) => finished.push(e.nodeId));
    const result = await handle.result;
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("RECORDING_FAILED");
    expect(finished).toEqual(["start"]);
    // The slow node was cancelled rather than left to run for a minute unrecorded.
    expect(result.nodes.find((n) => n.nodeId === "slow")?.status).toBe("cancelled");
    expect(recorder.finished).toMatchObject([{ status: "failed", error: { code: "RECORDING_FAILED" } }]);
  });

  it("stores the writes that queue up behind one in flight together: the last node rows and the finish in one writeMany", async () => {
    const recorder = new BatchingRecorder();
    const events: string[] = [];
    const handle = executorWith(recorder).start(rag, { query: "q" });
    handle.on("node.finished", (e) =>
      events.push(`${e.nodeId} stored ${recorder.nodes.some((n) => n.nodeId === e.nodeId)}`),
    );
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    // The stub nodes finish while the first node's row is being written: their rows and the outcome go as one write.
    expect(recorder.calls).toEqual([["start"], ["retrieve", "answer", "end", "finish"]]);
    expect(recorder.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve", "answer", "end"]);
    expect(recorder.finished).toMatchObject([{ status: "succeeded" }]);
    expect(events).toEqual(["start stored true", "retrieve stored true", "answer stored true", "end stored true"]);
  });

  it("a failed writeMany is replayed one write at a time: the failing node is named, earlier events delivered, the failure recorded", async () => {
    const recorder = new BatchingRecorder();
    recorder.failOn = "answer";
    const handle = executorWith(recorder).start(rag, { query: "q" });
    const announced: string[] = [];
    handle.on("node.finished", (e) => announced.push(e.nodeId));
    const result = await handle.result;
    expect(recorder.calls.slice(0, 3)).toEqual([["start"], ["retrieve", "answer", "end", "finish"], ["retrieve"]]);
    expect(result.recordingErrors).toEqual([{ message: "disk full" }]);
    // Rows before the failing one are stored and announced; nothing after it is announced.
    expect(recorder.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve"]);
    expect(announced).toEqual(["start", "retrieve"]);
    // The outcome is still written, one by one, after the failure.
    expect(recorder.finished).toHaveLength(1);
  });
});
