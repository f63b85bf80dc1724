import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult } from "@portflow/engine";
import { z } from "zod";
import {
  limitsFor,
  nodeLimitsSchema,
  type ResolvedSandboxLimits,
  resolveSandboxLimits,
} from "../sandbox/sandbox-limits.ts";
import { type Sandboxes, sharedSandboxes } from "../sandbox/sandboxes.ts";
import { sandboxInputsJson } from "./sandbox-inputs-json.ts";

function templateTransformConfigSchema(limits: ResolvedSandboxLimits) {
  return z
    .object({
      /** Jinja2 syntax over the node's inputs: `{{ x }}`, filters, `{% for %}`, `{% if %}`. */
      template: z.string().max(100_000),
      limits: nodeLimitsSchema(limits.maxima),
    })
    .strict();
}

/** Config of the `template-transform` node. */
export type TemplateTransformConfig = z.output<ReturnType<typeof templateTransformConfigSchema>>;

/** Options of {@link TemplateTransformNode}. */
export interface TemplateTransformNodeOptions {
  readonly limits?: ResolvedSandboxLimits;
  readonly sandboxes?: Sandboxes;
}

/**
 * `template-transform`: renders a Jinja2 template over the node's inputs into `output`. The
 * template is untrusted, so it is rendered by a pure-JavaScript Jinja (`@huggingface/jinja`)
 * inside QuickJS, where no host object exists to reach. Printing an undefined variable is an
 * error naming it; `is defined` and `default(...)` handle optional ones.
 *
 * @example
 * { "id": "format", "type": "template-transform",
 *   "config": { "template": "{% for d in docs %}- {{ d.title | upper }}\n{% endfor %}{{ tags | join(', ') }}" },
 *   "variable_mappings": [{ "target_port": "docs", "selector": ["retrieve", "documents"] },
 *                         { "target_port": "tags", "selector": ["start", "tags"] }] }
 */
export class TemplateTransformNode extends BaseNodeV2<
  TemplateTransformConfig,
  Record<string, unknown>,
  { output: string }
> {
  readonly type = "template-transform";
  override readonly description = "Renders a Jinja2 template over its inputs, in a sandbox.";
  readonly configSchema: z.ZodType<TemplateTransformConfig>;
  readonly #limits: ResolvedSandboxLimits;
  readonly #sandboxes: Sandboxes | undefined;

  constructor(options: TemplateTransformNodeOptions = {}) {
    super();
    this.#limits = options.limits ?? resolveSandboxLimits();
    this.#sandboxes = options.sandboxes;
    this.configSchema = templateTransformConfigSchema(this.#limits);
  }

  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "output", type: "string" }], dynamicInputs: true };
  }

  async run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<TemplateTransformConfig>,
  ): Promise<NodeRunResult<{ output: string }>> {
    const limits = limitsFor(ctx.config.limits, this.#limits);
    const sandbox = (this.#sandboxes ?? sharedSandboxes()).quickjs;
    const output = await sandbox.run(
      { kind: "template", source: ctx.config.template, inputsJson: sandboxInputsJson(inputs), limits },
      ctx.signal,
    );
    return { outputs: { output } };
  }
}
