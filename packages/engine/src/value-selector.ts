import { z } from "zod";

/**
 * Where a value lives in the VariablePool:
 * `[nodeId, port, ...path]` for a node output, `["sys", name]` for a system variable,
 * `["env", name]` for an environment variable. Path segments index into objects and arrays.
 */
export type ValueSelector = readonly [string, string, ...(string | number)[]];

export const valueSelectorSchema = z
  .array(z.union([z.string(), z.number().int().nonnegative()]))
  .min(2, "a selector needs at least a node id (or sys/env) and a name")
  .refine((s) => typeof s[0] === "string" && typeof s[1] === "string", {
    message: "the first two selector segments must be strings",
  })
  .transform((s) => s as unknown as ValueSelector);

/** Feeds one input port of a node: from a selector, or a constant `value`. */
export type VariableMapping =
  | { readonly target_port: string; readonly selector: ValueSelector }
  | { readonly target_port: string; readonly value: unknown };

export const variableMappingSchema = z.union([
  z.object({ target_port: z.string().min(1), selector: valueSelectorSchema }).strict(),
  z.object({ target_port: z.string().min(1), value: z.unknown() }).strict(),
]);

export const SYSTEM_VARIABLES = ["query", "user_id", "session_id", "bot_id", "run_id", "files"] as const;
export type SystemVariableName = (typeof SYSTEM_VARIABLES)[number];

export function isSystemSelector(selector: ValueSelector): boolean {
  return selector[0] === "sys";
}

export function isEnvSelector(selector: ValueSelector): boolean {
  return selector[0] === "env";
}

export function formatSelector(selector: readonly (string | number)[]): string {
  return selector.join(".");
}
