import type { TemplateUse } from "./port-definition.ts";

const TEMPLATE_VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The expressions of a template's `{{…}}` placeholders, as `VariablePool.render` reads them. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1] as string);
}

/**
 * Every string inside `value` as a template use at its path below `path`: for configs whose
 * strings are all rendered (an http-request's url, headers, query and body).
 *
 * @example
 * templateUsesIn({ url: "https://x/{{id}}" }, []); // [{ path: ["url"], template: "https://x/{{id}}" }]
 */
export function templateUsesIn(value: unknown, path: readonly (string | number)[] = []): TemplateUse[] {
  const uses: TemplateUse[] = [];
  const stack: [unknown, readonly (string | number)[]][] = [[value, path]];
  while (stack.length > 0) {
    const [next, at] = stack.pop() as [unknown, readonly (string | number)[]];
    if (typeof next === "string") {
      if (next.includes("{{")) uses.push({ path: at, template: next });
    } else if (Array.isArray(next)) {
      for (const [i, item] of next.entries()) stack.push([item, [...at, i]]);
    } else if (next !== null && typeof next === "object") {
      for (const [key, item] of Object.entries(next)) stack.push([item, [...at, key]]);
    }
  }
  return uses.reverse();
}
