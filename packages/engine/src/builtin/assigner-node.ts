import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import { CONVERSATION_OPERATIONS, type ConversationOperation, type NodePortSchema } from "../port-definition.ts";

const assignmentSchema = z
  .object({
    /** A declared conversation variable. */
    variable: z.string().min(1),
    operation: z.enum(CONVERSATION_OPERATIONS),
    /** The input port whose value is written (overwrite, append, extend, arithmetic). */
    input: z.string().min(1).optional(),
    /** A constant instead of an input (set, append, extend, arithmetic). */
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((a, issue) => {
    const needsOperand = !["clear", "remove-first", "remove-last"].includes(a.operation);
    if (a.operation === "set" && a.value === undefined) {
      issue.addIssue({ code: "custom", path: ["value"], message: '"set" writes a constant: give value' });
    } else if (a.operation === "overwrite" && a.input === undefined) {
      issue.addIssue({ code: "custom", path: ["input"], message: '"overwrite" writes an input: give input' });
    } else if (needsOperand && a.input === undefined && a.value === undefined) {
      issue.addIssue({ code: "custom", path: ["input"], message: `"${a.operation}" needs an input or a value` });
    }
  });

const assignerConfigSchema = z.object({ assignments: z.array(assignmentSchema).min(1) }).strict();
export type AssignerConfig = z.output<typeof assignerConfigSchema>;

export class AssignmentError extends Error {
  override readonly name = "AssignmentError";
  readonly code = "INVALID_ASSIGNMENT";
}

/** The variable's new value, or a reason it cannot be computed. */
function apply(operation: ConversationOperation, before: unknown, operand: unknown, variable: string): unknown {
  const list = () => {
    if (before === null || before === undefined) return [];
    if (!Array.isArray(before))
      throw new AssignmentError(`"${operation}" needs an array; conversation.${variable} is not one`);
    return before;
  };
  const number = () => {
    const current = before ?? 0;
    if (typeof current !== "number" || typeof operand !== "number") {
      throw new AssignmentError(`"${operation}" needs numbers; conversation.${variable} or the operand is not one`);
    }
    return current;
  };
  switch (operation) {
    case "overwrite":
    case "set":
      return operand;
    case "clear":
      return Array.isArray(before) ? [] : typeof before === "string" ? "" : null;
    case "append":
      return [...list(), operand];
    case "extend":
      if (!Array.isArray(operand))
        throw new AssignmentError(`"extend" needs an array operand for conversation.${variable}`);
      return [...list(), ...operand];
    case "remove-first":
      return list().slice(1);
    case "remove-last":
      return list().slice(0, -1);
    case "+=":
      return number() + (operand as number);
    case "-=":
      return number() - (operand as number);
    case "*=":
      return number() * (operand as number);
    case "/=":
      if (operand === 0) throw new AssignmentError(`"/=" by zero on conversation.${variable}`);
      return number() / (operand as number);
  }
}

/**
 * `assigner`: writes conversation variables (`overwrite`, `clear`, `set`, `append`, `extend`,
 * `remove-first`, `remove-last`, `+=`, `-=`, `*=`, `/=`). Later nodes of the run read the new
 * values; they are stored for the session only when the run succeeds. Each write is recorded in
 * process data with its value before and after.
 *
 * @example
 * { "id": "remember", "type": "assigner",
 *   "config": { "assignments": [{ "variable": "name", "operation": "overwrite", "input": "name" },
 *                               { "variable": "turns", "operation": "+=", "value": 1 }] },
 *   "variable_mappings": [{ "target_port": "name", "selector": ["extract", "name"] }] }
 */
export class AssignerNode extends BaseNodeV2<AssignerConfig, Record<string, unknown>, Record<string, never>> {
  readonly type = "assigner";
  override readonly description = "Writes conversation variables (kept per session when the run succeeds).";
  readonly configSchema = assignerConfigSchema;

  ports(config: AssignerConfig): NodePortSchema {
    const inputs = [...new Set(config.assignments.flatMap((a) => (a.input === undefined ? [] : [a.input])))];
    return {
      inputs: inputs.map((name) => ({ name, type: "any" })),
      outputs: [],
      conversationWrites: config.assignments.map((a, i) => ({
        variable: a.variable,
        operation: a.operation,
        path: ["assignments", i],
        ...(a.value !== undefined && { value: a.value }),
      })),
    };
  }

  run(inputs: Record<string, unknown>, ctx: NodeContext<AssignerConfig>): NodeRunResult<Record<string, never>> {
    const conversation = ctx.conversation;
    const writes: { variable: string; operation: string; before: unknown; after: unknown }[] = [];
    for (const a of ctx.config.assignments) {
      const before = conversation.get(a.variable);
      const operand = a.input !== undefined ? inputs[a.input] : a.value;
      const after = apply(a.operation, before, operand, a.variable);
      conversation.set(a.variable, after);
      writes.push({ variable: a.variable, operation: a.operation, before: before ?? null, after });
    }
    return { outputs: {}, processData: { writes } };
  }
}
