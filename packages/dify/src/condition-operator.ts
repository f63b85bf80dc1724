import type { ConditionOperator } from "@portflow/engine";
import type { ImportContext, YamlPath } from "./import-context.ts";

const DIRECT: Readonly<Record<string, ConditionOperator>> = {
  contains: "contains",
  "not contains": "not-contains",
  "start with": "starts-with",
  "end with": "ends-with",
  is: "equals",
  "is not": "not-equals",
  empty: "is-empty",
  "not empty": "is-not-empty",
};
const NUMERIC: Readonly<Record<string, ConditionOperator>> = {
  "=": "equals",
  "≠": "not-equals",
  ">": "gt",
  "<": "lt",
  "≥": "gte",
  "≤": "lte",
};
/** Dify operators Portflow has only an approximation of. */
const APPROXIMATE: Readonly<Record<string, { operator: ConditionOperator; note: string }>> = {
  null: { operator: "is-empty", note: '"null" became "is empty" (also true for "" and [])' },
  "not null": { operator: "is-not-empty", note: '"not null" became "is not empty" (also false for "" and [])' },
  exists: { operator: "is-not-empty", note: '"exists" became "is not empty"' },
  "not exists": { operator: "is-empty", note: '"not exists" became "is empty"' },
};

/** A Portflow condition operator and constant, and what differs from Dify. */
export interface MappedOperator {
  readonly operator: ConditionOperator;
  readonly value?: unknown;
  readonly notes: readonly string[];
}

/**
 * A Dify comparison (`comparison_operator` + `value`) as a Portflow operator and constant. Number
 * operators compare numbers: Dify's string value is converted (noted). Values that read a
 * variable (`{{#node.var#}}`) have no Portflow form: a problem, and the text kept as the constant.
 */
export function mapOperator(
  operator: string,
  value: unknown,
  varType: string | undefined,
  path: YamlPath,
  ctx: ImportContext,
): MappedOperator | undefined {
  const notes: string[] = [];
  if (typeof value === "string" && /\{\{#[^#]+#\}\}/.test(value)) {
    ctx.problem(
      [...path, "value"],
      "unsupported_condition",
      "a condition that compares with another variable has no Portflow form yet (conditions compare with constants): the text is kept as a constant",
    );
  }
  const direct = DIRECT[operator];
  if (direct !== undefined) {
    const empty = direct === "is-empty" || direct === "is-not-empty";
    if (empty) return { operator: direct, notes };
    if (varType === "boolean" && (value === "true" || value === "false")) {
      return { operator: direct, value: value === "true", notes };
    }
    if (varType === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
      notes.push(`"${operator} ${value}" compares with the number ${Number(value)} (Dify's string value converted)`);
      return { operator: direct, value: Number(value), notes };
    }
    return { operator: direct, value: value ?? "", notes };
  }
  const numeric = NUMERIC[operator];
  if (numeric !== undefined) {
    const number = typeof value === "number" ? value : Number(String(value ?? "").trim());
    if (typeof value !== "number") {
      if (String(value ?? "").trim() === "" || !Number.isFinite(number)) {
        ctx.problem(
          [...path, "value"],
          "unsupported_condition",
          `"${operator}" needs a number, got ${JSON.stringify(value)}`,
        );
        return { operator: numeric, value: value ?? null, notes };
      }
      notes.push(`"${operator} ${String(value)}" compares with the number ${number} (Dify's string value converted)`);
    }
    if (numeric === "equals" || numeric === "not-equals") {
      notes.push(`"${operator}" is strict in Portflow: a string input "${number}" does not equal the number ${number}`);
    }
    return { operator: numeric, value: number, notes };
  }
  const approx = APPROXIMATE[operator];
  if (approx !== undefined) return { operator: approx.operator, notes: [approx.note] };
  ctx.problem(
    [...path, "comparison_operator"],
    "unsupported_operator",
    `Dify operator "${operator}" has no Portflow counterpart (Portflow has ${[...Object.keys(DIRECT), ...Object.keys(NUMERIC)].join(", ")} and null/not null as empty checks)`,
  );
  return undefined;
}
