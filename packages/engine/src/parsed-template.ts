/**
 * Templates split once into literal text and `{{…}}` placeholders, so rendering the same template
 * again (every run of a workflow renders the same few) is a walk over parts, not a regex pass.
 * @module
 */

/** One `{{expression}}`: its text as written and its path (digit-only segments as indices). */
export interface TemplatePlaceholder {
  readonly expression: string;
  readonly path: readonly (string | number)[];
}

/**
 * A template as alternating parts: `literals[0]`, `placeholders[0]`, `literals[1]`, … —
 * always one more literal than placeholders.
 */
export interface ParsedTemplate {
  readonly literals: readonly string[];
  readonly placeholders: readonly TemplatePlaceholder[];
}

const TEMPLATE_VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const INDEX = /^\d+$/;
/** Templates come from workflow configs: a few hundred at most; the bound only stops misuse growing it. */
const CACHE_LIMIT = 2_000;
const cache = new Map<string, ParsedTemplate>();

/** The template's parts, parsed on first use and cached by its text. */
export function parseTemplate(template: string): ParsedTemplate {
  const hit = cache.get(template);
  if (hit !== undefined) return hit;
  const literals: string[] = [];
  const placeholders: TemplatePlaceholder[] = [];
  let last = 0;
  for (const match of template.matchAll(TEMPLATE_VARIABLE)) {
    const expression = match[1] as string;
    literals.push(template.slice(last, match.index));
    placeholders.push({
      expression,
      path: expression.split(".").map((part) => (INDEX.test(part) ? Number(part) : part)),
    });
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  const parsed: ParsedTemplate = { literals, placeholders };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(template, parsed);
  return parsed;
}
