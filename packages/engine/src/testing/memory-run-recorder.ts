import type { NodeExecutionRecord, RunFinishRecord, RunRecorder, RunStartRecord } from "../services.ts";

/** Keeps every recorder call in memory, in order: the reference RunRecorder for tests. */
export class MemoryRunRecorder implements RunRecorder {
  readonly started: RunStartRecord[] = [];
  readonly nodes: NodeExecutionRecord[] = [];
  readonly finished: RunFinishRecord[] = [];

  async runStarted(run: RunStartRecord): Promise<void> {
    this.started.push(run);
  }
  async nodeFinished(node: NodeExecutionRecord): Promise<void> {
    this.nodes.push(node);
  }
  async runFinished(run: RunFinishRecord): Promise<void> {
    this.finished.push(run);
  }
}
