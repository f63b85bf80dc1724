import { z } from "zod";
import {
  type PortDefinition,
  type PortType,
  portDefinitionSchema,
  portTypeSchema,
  valueMatchesPortType,
} from "./port-definition.ts";
import { type VariableMapping, variableMappingSchema } from "./value-selector.ts";

export const ERROR_STRATEGIES = ["fail", "fail-branch", "default-value"] as const;
export type ErrorStrategy = (typeof ERROR_STRATEGIES)[number];

/** Retry policy. Defaults: 1 attempt (no retry), 500 ms initial delay, ×2 backoff, 10 s cap. */
export interface RetryPolicy {
  readonly max_attempts: number;
  readonly initial_delay_ms: number;
  readonly backoff: number;
  readonly max_delay_ms: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  max_attempts: 1,
  initial_delay_ms: 500,
  backoff: 2,
  max_delay_ms: 10_000,
});

/** Default per-node timeout: 10 minutes; `0` disables it. */
export const DEFAULT_NODE_TIMEOUT_MS = 600_000;

const retrySchema = z
  .object({
    max_attempts: z.number().int().min(1).max(100).default(DEFAULT_RETRY.max_attempts),
    initial_delay_ms: z.number().int().min(0).default(DEFAULT_RETRY.initial_delay_ms),
    backoff: z.number().min(1).default(DEFAULT_RETRY.backoff),
    max_delay_ms: z.number().int().min(0).default(DEFAULT_RETRY.max_delay_ms),
  })
  .strict();

export const workflowNodeV2Schema = z
  .object({
    id: z.string().min(1, "node id must not be empty"),
    type: z.string().min(1, "node type must not be empty"),
    title: z.string().optional(),
    /** The container (iteration, loop) whose body this node belongs to. */
    parent_id: z.string().min(1).optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    variable_mappings: z.array(variableMappingSchema).default([]),
    ports: z
      .object({
        inputs: z.array(portDefinitionSchema).default([]),
        outputs: z.array(portDefinitionSchema).default([]),
      })
      .optional(),
    timeout_ms: z.number().int().min(0).optional(),
    retry: retrySchema.optional(),
    error_strategy: z.enum(ERROR_STRATEGIES).default("fail"),
    default_outputs: z.record(z.string(), z.unknown()).optional(),
    position: z.object({ x: z.number(), y: z.number() }).optional(),
  })
  .strict();

const conversationVariableSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a conversation variable name is letters, digits and _"),
    type: portTypeSchema,
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict()
  .refine((v) => v.default === undefined || v.default === null || valueMatchesPortType(v.default, v.type), {
    message: "the default does not match the variable's type",
    path: ["default"],
  });

export const workflowEdgeV2Schema = z
  .object({
    id: z.string().optional(),
    source: z.string().min(1),
    target: z.string().min(1),
    source_port: z.string().min(1).optional(),
    target_port: z.string().min(1).optional(),
  })
  .strict();

export const workflowV2Schema = z
  .object({
    schema_version: z.literal(2),
    name: z.string().optional(),
    description: z.string().optional(),
    nodes: z.array(workflowNodeV2Schema),
    edges: z.array(workflowEdgeV2Schema).default([]),
    /** Values for `["env", name]` selectors and `{{env.NAME}}`; run options may add more. */
    env: z.record(z.string(), z.string()).optional(),
    /** Per-session state: read as `["conversation", name]` / `{{conversation.name}}`, written by `assigner`. */
    conversation_variables: z.array(conversationVariableSchema).optional(),
  })
  .strict();

export interface WorkflowNodeV2 {
  readonly id: string;
  readonly type: string;
  readonly title?: string;
  readonly parent_id?: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly variable_mappings: readonly VariableMapping[];
  readonly ports?: { readonly inputs: readonly PortDefinition[]; readonly outputs: readonly PortDefinition[] };
  readonly timeout_ms?: number;
  readonly retry?: RetryPolicy;
  readonly error_strategy: ErrorStrategy;
  readonly default_outputs?: Readonly<Record<string, unknown>>;
  readonly position?: { readonly x: number; readonly y: number };
}

export interface WorkflowEdgeV2 {
  readonly id?: string;
  readonly source: string;
  readonly target: string;
  readonly source_port?: string;
  readonly target_port?: string;
}

/** A parsed V2 workflow. Treated as immutable; `parseWorkflowV2` freezes it. */
export interface WorkflowV2 {
  readonly schema_version: 2;
  readonly name?: string;
  readonly description?: string;
  readonly nodes: readonly WorkflowNodeV2[];
  readonly edges: readonly WorkflowEdgeV2[];
  readonly env?: Readonly<Record<string, string>>;
  readonly conversation_variables?: readonly ConversationVariable[];
}

/** A declared conversation variable: its type, and the value a new session starts with. */
export interface ConversationVariable {
  readonly name: string;
  readonly type: PortType;
  readonly default?: unknown;
  readonly description?: string;
}

/** Input shape of a V2 workflow (what JSON authors write: defaults may be omitted). */
export type WorkflowV2Json = z.input<typeof workflowV2Schema>;

export const workflowNodeV1Schema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
});

export const workflowV1Schema = z.object({
  nodes: z.array(workflowNodeV1Schema),
  edges: z.array(z.object({ source: z.string().min(1), target: z.string().min(1) })).default([]),
});

export type WorkflowV1 = z.output<typeof workflowV1Schema>;
export type WorkflowV1Json = z.input<typeof workflowV1Schema>;

/** True when the JSON declares itself V2; everything else is treated as V1. */
export function isWorkflowV2Json(json: unknown): boolean {
  return typeof json === "object" && json !== null && (json as { schema_version?: unknown }).schema_version === 2;
}

/** Freezes a value and everything it holds; iterative, so no depth can overflow the stack. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) stack.push(child);
  }
  return value;
}
