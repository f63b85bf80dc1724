import { difyConversationVariableSchema, difyEnvVariableSchema, parseAt } from "./dify-dsl-schema.ts";
import type { ImportContext } from "./import-context.ts";
import { portTypeOf } from "./portflow-node.ts";

/**
 * `environment_variables`: plain ones become the workflow's `env`; `secret` ones (exported blank
 * by Dify) become required bot secrets, read as `["secret", NAME]`.
 */
export function readEnvironment(raw: readonly unknown[] | null | undefined, ctx: ImportContext): void {
  const path = ["workflow", "environment_variables"];
  const notes: string[] = [];
  (raw ?? []).forEach((entry, i) => {
    const v = parseAt(difyEnvVariableSchema, entry, [...path, i], ctx);
    if (v === undefined) return;
    if (v.value_type === "secret") {
      ctx.secrets.add(v.name);
      notes.push(`${v.name}: secret → bot secret (set it: Dify exports secrets blank)`);
    } else {
      ctx.env.set(v.name, v.value === null || v.value === undefined ? "" : String(v.value));
      notes.push(`${v.name} → env`);
    }
  });
  if (notes.length > 0) ctx.report(path, "environment variables", "mapped", notes);
}

/** `conversation_variables`: collected for the report (and the workflow when asked). */
export function readConversationVariables(raw: readonly unknown[] | null | undefined, ctx: ImportContext): void {
  const path = ["workflow", "conversation_variables"];
  (raw ?? []).forEach((entry, i) => {
    const v = parseAt(difyConversationVariableSchema, entry, [...path, i], ctx);
    if (v === undefined) return;
    ctx.conversationVariables.push({
      name: v.name,
      type: portTypeOf(v.value_type),
      default: v.value ?? null,
      description: v.description ?? "",
    });
  });
  const n = ctx.conversationVariables.length;
  if (n === 0) return;
  const emitted = ctx.options.emitConversationVariables !== false;
  ctx.report(path, "conversation variables", "mapped", [
    `${n} variable${n === 1 ? "" : "s"} (${ctx.conversationVariables.map((v) => v.name).join(", ")}) ${emitted ? "written to the workflow's conversation_variables" : "listed in this report (emitConversationVariables is off)"}`,
  ]);
}
