/**
 * The parts of a Dify DSL file the importer reads, as lenient zod schemas: unknown fields pass,
 * ids and selector segments that YAML read as numbers become strings.
 * @module
 */
import { z } from "zod";
import type { ImportContext, YamlPath } from "./import-context.ts";

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
export const difyId = text.pipe(z.string().min(1, "must not be empty"));
export const difySelector = z.array(text);
export type DifySelector = z.output<typeof difySelector>;

/** `{ variable, value_selector }`, as end outputs and code/template variables write them. */
export const difyVariableSelector = z.looseObject({
  variable: text,
  value_selector: difySelector.nullish(),
  value_type: z.string().optional(),
});

export const difyFileSchema = z.looseObject({
  kind: z.string().optional(),
  version: text.optional(),
  app: z.looseObject({ name: text.optional(), mode: z.string().optional(), description: text.nullish() }).optional(),
  workflow: z
    .looseObject({
      graph: z.looseObject({ nodes: z.array(z.unknown()), edges: z.array(z.unknown()).nullish() }).optional(),
      features: z.unknown().optional(),
      environment_variables: z.array(z.unknown()).nullish(),
      conversation_variables: z.array(z.unknown()).nullish(),
    })
    .nullish(),
});

export const difyNodeSchema = z.looseObject({
  id: difyId,
  type: z.string().optional(),
  parentId: difyId.nullish(),
  position: z.object({ x: z.number(), y: z.number() }).partial().nullish(),
  data: z.looseObject({ type: z.string().min(1), title: text.optional() }),
});

export const difyEdgeSchema = z.looseObject({
  source: difyId,
  target: difyId,
  sourceHandle: text.nullish(),
  targetHandle: text.nullish(),
});

export const difyEnvVariableSchema = z.looseObject({
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  value_type: z.string().default("string"),
  description: z.string().nullish(),
});

export const difyConversationVariableSchema = z.looseObject({
  name: z.string().min(1),
  value: z.unknown().optional(),
  value_type: z.string().default("string"),
  description: z.string().nullish(),
});

/** `retry_config`, `error_strategy`, `default_value`: what every Dify node may carry. */
export const difyNodePolicySchema = z.looseObject({
  error_strategy: z.enum(["fail-branch", "default-value", "none"]).nullish(),
  default_value: z.array(z.looseObject({ key: z.string(), value: z.unknown() })).nullish(),
  retry_config: z
    .looseObject({
      retry_enabled: z.boolean().optional(),
      max_retries: z.number().int().min(0).max(99).optional(),
      retry_interval: z.number().min(0).optional(),
    })
    .nullish(),
});

/** Parses `value`; on failure reports every issue at its YAML path and returns undefined. */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: YamlPath,
  ctx: ImportContext,
): z.output<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const at = [...path, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
    ctx.problem(at, "invalid_dsl", issue.message);
  }
  return undefined;
}
