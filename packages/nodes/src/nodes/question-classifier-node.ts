import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult } from "@portflow/engine";
import { z } from "zod";
import { answeredBy, type ModelProvider } from "../model-provider.ts";
import { jsonSchemaToZod, type RestrictedJsonSchema } from "../structured/json-schema-zod.ts";
import { chatModelFor, type ModelNodeOptions, modelSelectionSchema } from "./model-selection.ts";

const classSchema = z
  .object({
    /** The branch port an edge leaves by (`source_port`). */
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a class id is 1-64 letters, digits, _ or -"),
    name: z.string().min(1).max(500),
  })
  .strict();

const questionClassifierConfigSchemaFor = (providers?: readonly ModelProvider[]) =>
  z
    .object({
      classes: z.array(classSchema).min(2).max(50),
      /** Extra guidance for the model (a template over the node's inputs). */
      instruction: z.string().max(10_000).default(""),
      /** A model id for the default provider, or `{provider, name?, fallback?}`. */
      model: modelSelectionSchema(providers).optional(),
      temperature: z.number().min(0).max(1).default(0),
      max_tokens: z.number().int().min(16).max(4_096).default(256),
    })
    .strict()
    .superRefine((config, ctx) => {
      const seen = new Set<string>();
      for (const [i, c] of config.classes.entries()) {
        if (c.id === "fail")
          ctx.addIssue({ code: "custom", path: ["classes", i, "id"], message: '"fail" is the error branch' });
        if (seen.has(c.id))
          ctx.addIssue({ code: "custom", path: ["classes", i, "id"], message: `duplicate class id "${c.id}"` });
        seen.add(c.id);
      }
    });

/** Config of the `question-classifier` node. */
export type QuestionClassifierConfig = z.output<ReturnType<typeof questionClassifierConfigSchemaFor>>;

/** Outputs of the `question-classifier` node. */
export interface QuestionClassifierOutputs extends Record<string, unknown> {
  readonly class_id: string;
  readonly class_name: string;
}

/** The model answered something other than one of the classes. */
export class ClassificationError extends Error {
  override readonly name = "ClassificationError";
  readonly code = "CLASSIFICATION_INVALID";
}

/**
 * `question-classifier`: asks the run's ChatModel (structured output) which of `classes` the
 * `query` belongs to, and takes that class's branch: edges leave by `source_port: <class id>`.
 * The chosen class and the model's short reason are kept in process data; an answer outside the
 * classes fails the attempt (so `retry` and `error_strategy` apply).
 *
 * @example
 * { "id": "route", "type": "question-classifier",
 *   "config": { "classes": [{ "id": "billing", "name": "Billing, invoices and refunds" },
 *                           { "id": "tech", "name": "Technical problems" }] },
 *   "variable_mappings": [{ "target_port": "query", "selector": ["start", "query"] }] }
 * // edges: { "source": "route", "source_port": "billing", "target": "billing_answer" }
 */
export class QuestionClassifierNode extends BaseNodeV2<
  QuestionClassifierConfig,
  { query: string },
  QuestionClassifierOutputs
> {
  readonly type = "question-classifier";
  override readonly description = "Classifies the query into one of its classes and takes that class's branch.";
  readonly configSchema: ReturnType<typeof questionClassifierConfigSchemaFor>;

  constructor(options: ModelNodeOptions = {}) {
    super();
    this.configSchema = questionClassifierConfigSchemaFor(options.providers);
  }

  ports(config: QuestionClassifierConfig): NodePortSchema {
    return {
      inputs: [{ name: "query", type: "string", required: true, description: "The text to classify." }],
      outputs: [
        { name: "class_id", type: "string" },
        { name: "class_name", type: "string" },
      ],
      branches: config.classes.map((c) => c.id),
      dynamicInputs: true,
      templates: [{ path: ["instruction"], template: config.instruction }],
    };
  }

  async run(
    inputs: { query: string },
    ctx: NodeContext<QuestionClassifierConfig>,
  ): Promise<NodeRunResult<QuestionClassifierOutputs>> {
    const { classes, model, temperature, max_tokens } = ctx.config;
    const ids = classes.map((c) => c.id);
    const schema: RestrictedJsonSchema = {
      type: "object",
      properties: {
        class_id: { type: "string", enum: ids, description: "the id of the one class the input belongs to" },
        reason: { type: "string", description: "why, in one short sentence" },
      },
      required: ["class_id"],
    };
    const instruction = ctx.render(ctx.config.instruction, inputs);
    const system = [
      "Classify the input into exactly one of the classes listed. Answer with the class id and a short reason.",
      instruction,
    ]
      .filter((s) => s.trim() !== "")
      .join("\n\n");
    const user = `Classes:\n${classes.map((c) => `- ${c.id}: ${c.name}`).join("\n")}\n\nInput:\n${inputs.query}`;
    const selected = chatModelFor(ctx, this.type, model);
    const response = await selected.chatModel.chat(
      {
        ...(selected.model !== undefined ? { model: selected.model } : {}),
        system,
        messages: [{ role: "user", content: user }],
        temperature,
        maxTokens: max_tokens,
        structured: { name: "classify", description: "Report the class of the input.", schema },
      },
      { signal: ctx.signal },
    );
    const parsed = (jsonSchemaToZod(schema) as z.ZodType<{ class_id: string; reason?: string | null }>).safeParse(
      response.structured,
    );
    if (!parsed.success) {
      const answered = (response.structured as { class_id?: unknown } | undefined)?.class_id;
      throw new ClassificationError(
        `question-classifier node "${ctx.nodeId}": the model answered ${JSON.stringify(answered ?? response.structured ?? response.text)}, ` +
          `which is not one of the classes ${ids.map((id) => `"${id}"`).join(", ")}`,
      );
    }
    const chosen = classes.find((c) => c.id === parsed.data.class_id) as { id: string; name: string };
    return {
      outputs: { class_id: chosen.id, class_name: chosen.name },
      branch: chosen.id,
      tokens: response.usage,
      processData: {
        model: response.model,
        ...answeredBy(response),
        class_id: chosen.id,
        class_name: chosen.name,
        reason: parsed.data.reason ?? "",
        ...(instruction.trim() !== "" ? { instruction } : {}),
      },
    };
  }
}
