import type { ChatRequest } from "@portflow/engine";
import type { ProviderChatResponse } from "../model-provider.ts";
import { type RestrictedJsonSchema, restrictedJsonSchemaSchema } from "../structured/json-schema-zod.ts";
import { lightStem, wordTokens } from "./text-features.ts";

/**
 * The offline stand-in for structured output: fills `schema` from `prompt` deterministically.
 * The text after a line `Input:` (else the whole prompt) is the subject. Per property: an enum
 * takes the value whose prompt line (`- value: label`) shares most words with the subject; a
 * number, the one after the property's name (`age is 42`, `age: 42`), else the first number; a
 * date-like name or description, the first ISO date; a string, `name is X` / `name: X`, else the
 * first quoted string; a boolean, yes/no/true/false; arrays collect every match.
 */
export function localStructuredOutput(schema: RestrictedJsonSchema, prompt: string): unknown {
  const split = /(?:^|\n)Input:\s*\n?/.exec(prompt);
  const subject = split ? prompt.slice(split.index + split[0].length) : prompt;
  return fill(schema, "", subject, prompt);
}

function fill(schema: RestrictedJsonSchema, name: string, subject: string, prompt: string): unknown {
  switch (schema.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties).map(([key, value]) => [key, fill(value, key, subject, prompt)]),
      );
    case "array": {
      const items = schema.items;
      if (items.type === "number" || items.type === "integer") {
        return numbers(subject).filter((n) => items.type === "number" || Number.isInteger(n));
      }
      if (items.type === "string") return quoted(subject);
      return [];
    }
    case "string":
      if (schema.enum) return bestEnum(schema.enum, subject, prompt);
      if (/date|day|when/i.test(`${name} ${schema.description ?? ""}`)) {
        return /\b\d{4}-\d{2}-\d{2}\b/.exec(subject)?.[0] ?? null;
      }
      return named(name, subject) ?? quoted(subject)[0] ?? null;
    case "number":
    case "integer": {
      const near = named(name, subject);
      const value = near !== undefined && /^-?\d+(?:\.\d+)?$/.test(near) ? Number(near) : numbers(subject)[0];
      if (value === undefined) return null;
      return schema.type === "integer" ? Math.round(value) : value;
    }
    case "boolean": {
      const match = /\b(yes|no|true|false)\b/i.exec(subject)?.[1]?.toLowerCase();
      return match === undefined ? null : match === "yes" || match === "true";
    }
  }
}

function words(text: string): Set<string> {
  return new Set(wordTokens(text).map(lightStem));
}

function bestEnum(values: readonly string[], subject: string, prompt: string): string {
  const said = words(subject);
  let best = values[0] as string;
  let bestScore = -1;
  for (const value of values) {
    const line = prompt.split("\n").find((l) => l.trim().startsWith(`- ${value}:`)) ?? value;
    const label = words(`${line} ${value.replace(/[_-]/g, " ")}`);
    let score = 0;
    for (const word of label) if (said.has(word)) score++;
    if (score > bestScore) {
      best = value;
      bestScore = score;
    }
  }
  return best;
}

function numbers(text: string): number[] {
  return [...text.matchAll(/-?\b\d+(?:\.\d+)?\b/g)].map((m) => Number(m[0]));
}

function quoted(text: string): string[] {
  return [...text.matchAll(/"([^"\n]+)"|“([^”\n]+)”/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** `name is X`, `name: X`, `name = X` (name with _ read as a space), up to the end of the clause. */
function named(name: string, text: string): string | undefined {
  if (name === "") return undefined;
  const label = name.replace(/[_-]+/g, "[ _-]?");
  const match = new RegExp(
    `\\b${label}\\s*(?:is|was|:|=)\\s*("([^"]+)"|[^,.;\\n]+?)(?=[,.;\\n]|\\s+and\\b|$)`,
    "i",
  ).exec(text);
  if (!match) return undefined;
  return (match[2] ?? match[1])?.trim();
}

/** The local model's answer to a structured request: the extracted JSON, also as text. */
export function localStructuredAnswer(request: ChatRequest, model: string): ProviderChatResponse {
  const structured = request.structured;
  if (!structured) throw new TypeError("not a structured request");
  const parsed = restrictedJsonSchemaSchema.safeParse(structured.schema);
  if (!parsed.success)
    throw new TypeError(`structured output schema "${structured.name}" is outside the supported subset`);
  const last = [...request.messages].reverse().find((m) => m.role === "user");
  const value = localStructuredOutput(parsed.data, last?.content ?? "");
  const text = JSON.stringify(value);
  const input = request.messages.reduce((n, m) => n + wordTokens(m.content).length, 0);
  return {
    text,
    structured: value,
    usage: { input, output: wordTokens(text).length },
    stopReason: "tool_use",
    model,
    provider: "local",
  };
}
