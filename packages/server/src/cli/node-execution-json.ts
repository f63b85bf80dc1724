import type { NodeRunRecord } from "@portflow/engine";
import { type NodeExecutionResponse, nodeExecutionOfRecord } from "../routes/node-execution-schema.ts";

/** A node as `--json` prints it: the API's `NodeExecution` without its values (inputs, outputs, process data). */
export type NodeExecutionJson = Omit<NodeExecutionResponse, "inputs" | "outputs" | "process_data">;

/** The CLI's `--json` form of a node the engine just ran (`run`, `runs resume|rerun`, `workflow run`). */
export function nodeExecutionJson(record: NodeRunRecord): NodeExecutionJson {
  const { inputs: _i, outputs: _o, process_data: _p, ...node } = nodeExecutionOfRecord(record);
  return node;
}
