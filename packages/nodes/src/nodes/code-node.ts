import {
  BaseNodeV2,
  type NodeContext,
  type NodePortSchema,
  type NodeRunResult,
  portTypeSchema,
} from "@portflow/engine";
import { z } from "zod";
import { SandboxError } from "../sandbox/sandbox-error.ts";
import {
  limitsFor,
  nodeLimitsSchema,
  type ResolvedSandboxLimits,
  resolveSandboxLimits,
} from "../sandbox/sandbox-limits.ts";
import { type Sandboxes, sharedSandboxes } from "../sandbox/sandboxes.ts";
import { checkDeclaredOutputs } from "./check-declared-outputs.ts";
import { sandboxInputsJson } from "./sandbox-inputs-json.ts";

const outputName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "an output name is a letter or _ followed by letters, digits or _");

function codeConfigSchema(limits: ResolvedSandboxLimits) {
  return z
    .object({
      language: z.enum(["javascript", "python3"]),
      /** Defines `main`: `function main({a, b}) {...}` or `def main(a, b): ...`, returning an object. */
      code: z.string().min(1).max(100_000),
      /** The outputs `main` returns, each checked against its type. */
      outputs: z
        .array(z.object({ name: outputName, type: portTypeSchema, description: z.string().optional() }).strict())
        .max(64)
        .refine((list) => new Set(list.map((o) => o.name)).size === list.length, "output names must be unique"),
      limits: nodeLimitsSchema(limits.maxima),
    })
    .strict();
}

/** Config of the `code` node. */
export type CodeConfig = z.output<ReturnType<typeof codeConfigSchema>>;

/** Options of {@link CodeNode}. */
export interface CodeNodeOptions {
  readonly limits?: ResolvedSandboxLimits;
  readonly sandboxes?: Sandboxes;
}

/**
 * `code`: runs the author's `main` over the node's inputs in a sandbox (JavaScript in QuickJS,
 * Python in Pyodide) and checks what it returns against the declared outputs. Workflow authors are
 * not trusted: inputs enter as JSON, the result leaves as JSON, and nothing else crosses.
 *
 * @example
 * { "id": "total", "type": "code",
 *   "config": { "language": "python3", "code": "def main(prices):\n    return {'total': sum(prices)}",
 *               "outputs": [{ "name": "total", "type": "number" }], "limits": { "time_ms": 2000 } },
 *   "variable_mappings": [{ "target_port": "prices", "selector": ["start", "prices"] }] }
 */
export class CodeNode extends BaseNodeV2<CodeConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "code";
  override readonly description = "Runs JavaScript (QuickJS) or Python (Pyodide) in a sandbox over its inputs.";
  readonly configSchema: z.ZodType<CodeConfig>;
  readonly #limits: ResolvedSandboxLimits;
  readonly #sandboxes: Sandboxes | undefined;

  constructor(options: CodeNodeOptions = {}) {
    super();
    this.#limits = options.limits ?? resolveSandboxLimits();
    this.#sandboxes = options.sandboxes;
    this.configSchema = codeConfigSchema(this.#limits);
  }

  ports(config: CodeConfig): NodePortSchema {
    return { inputs: [], outputs: config.outputs, dynamicInputs: true };
  }

  async run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<CodeConfig>,
  ): Promise<NodeRunResult<Record<string, unknown>>> {
    const { language, code, outputs: declared } = ctx.config;
    const limits = limitsFor(ctx.config.limits, this.#limits);
    const inputsJson = sandboxInputsJson(inputs);
    const sandboxes = this.#sandboxes ?? sharedSandboxes();
    const started = performance.now();
    let json: string;
    let printed: string | undefined;
    if (language === "javascript") {
      json = await sandboxes.quickjs.run({ kind: "code", source: code, inputsJson, limits }, ctx.signal);
    } else {
      const result = await sandboxes.python.run({ code, inputsJson, limits }, ctx.signal);
      json = result.json;
      printed = result.output;
    }
    const elapsedMs = Math.round((performance.now() - started) * 100) / 100;
    const returned = JSON.parse(json) as unknown;
    if (returned === null || typeof returned !== "object" || Array.isArray(returned)) {
      throw new SandboxError("OUTPUT_INVALID", "main() must return an object of outputs");
    }
    const { outputs, undeclared } = checkDeclaredOutputs(returned as Record<string, unknown>, declared);
    return {
      outputs,
      processData: {
        language,
        time_limit_ms: limits.time_ms,
        memory_limit_mb: limits.memory_mb,
        sandbox_ms: elapsedMs,
        ...(undeclared.length > 0 ? { undeclared_outputs: undeclared } : {}),
        ...(printed ? { stdout: printed } : {}),
      },
    };
  }
}
