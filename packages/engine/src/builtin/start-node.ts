import { z } from "zod";
import { BaseNodeV2, type NodeRunResult } from "../base-node.ts";
import { type NodePortSchema, portDefinitionSchema, valueMatchesPortType } from "../port-definition.ts";

const startConfigSchema = z
  .object({
    /** The workflow's inputs. Defaults to one required string `query`. */
    inputs: z.array(portDefinitionSchema).default([{ name: "query", type: "string", required: true }]),
  })
  .strict();
export type StartConfig = z.output<typeof startConfigSchema>;

export class InvalidRunInputError extends Error {
  override readonly name = "InvalidRunInputError";
  readonly code = "INVALID_INPUT";
}

/**
 * `start`: declares the run's inputs as ports; the executor hands it the run inputs, which it
 * checks (required, type) and fills with defaults before anything downstream runs.
 */
export class StartNode extends BaseNodeV2<StartConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "start";
  override readonly description = "Entry point: declares and validates the workflow's inputs.";
  readonly configSchema = startConfigSchema;

  ports(config: StartConfig): NodePortSchema {
    return { inputs: [], outputs: config.inputs };
  }

  run(inputs: Record<string, unknown>, ctx: { config: StartConfig }): NodeRunResult<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const port of ctx.config.inputs) {
      const value = inputs[port.name] ?? port.default;
      if (value === undefined || value === null) {
        if (port.required) problems.push(`input "${port.name}" is required`);
        continue;
      }
      if (!valueMatchesPortType(value, port.type)) {
        problems.push(
          `input "${port.name}" must be ${port.type}, got ${Array.isArray(value) ? "array" : typeof value}`,
        );
        continue;
      }
      outputs[port.name] = value;
    }
    if (problems.length > 0) throw new InvalidRunInputError(problems.join("; "));
    return { outputs };
  }
}
