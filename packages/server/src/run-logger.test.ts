import { Writable } from "node:stream";
import {
  BaseNodeV2,
  type NodeContext,
  type NodePortSchema,
  ServiceContainer,
  Services,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { createTestRegistry, singleNodeWorkflow } from "@portflow/engine/testing";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pinoEngineLogger } from "./pino-engine-logger.ts";
import { RunTracker } from "./run-tracker.ts";
import { WorkflowRunner } from "./workflow-runner.ts";

/** A node that logs one line through its context, as a node would report what it did. */
class LoggingNode extends BaseNodeV2<Record<string, never>, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "logging";
  readonly configSchema = z.object({}).strict();
  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "done", type: "boolean" }] };
  }
  async run(_inputs: Record<string, unknown>, ctx: NodeContext<Record<string, never>>) {
    ctx.logger.info("node did its work", { node: ctx.nodeId });
    return { outputs: { done: true } };
  }
}

describe("the log lines of a run", () => {
  it("carry its run_id and bot_id, the node's lines as well as the run's own", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n")) if (line !== "") lines.push(JSON.parse(line));
        done();
      },
    });
    const services = new ServiceContainer().register(
      Services.Logger,
      pinoEngineLogger(pino({ level: "debug" }, stream).child({ component: "engine" })),
    );
    const registry = createTestRegistry().register(new LoggingNode());
    const runner = new WorkflowRunner(new WorkflowExecutorV2(registry, { services }), new RunTracker());
    const handle = runner.start(
      {
        kind: "v2",
        graph: singleNodeWorkflow({
          inputs: [],
          node: { id: "log", type: "logging", config: {} },
          outputs: [["done", "done"]],
        }),
      },
      {},
      {
        system: { bot_id: "bot-1" },
      },
    );
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    const nodeLine = lines.find((l) => l.msg === "node did its work");
    expect(nodeLine).toMatchObject({ run_id: handle.runId, bot_id: "bot-1", component: "engine" });
    expect(lines.find((l) => l.msg === "run finished")).toMatchObject({
      run_id: handle.runId,
      bot_id: "bot-1",
      status: "succeeded",
    });
  });
});
