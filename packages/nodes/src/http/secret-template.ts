import { z } from "zod";
import { SECRET_MASK, SECRET_NAME_PATTERN } from "../secret-resolver.ts";

/** A templated config field: a `{{…}}` template string, or `["secret", NAME]` for a secret as is. */
export type SecretTemplate = string | readonly ["secret", string];

export const secretNameSchema = z
  .string()
  .regex(SECRET_NAME_PATTERN, "a secret name is a letter or _ followed by up to 63 letters, digits or _");

export const secretTemplateSchema: z.ZodType<SecretTemplate> = z.union([
  z.string().max(100_000),
  z.tuple([z.literal("secret"), secretNameSchema]).readonly(),
]);

const SECRET_PLACEHOLDER = /\{\{\s*secret\.([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;

/** Every secret name a config value references, through `{{secret.NAME}}` or `["secret", NAME]`. */
export function referencedSecrets(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    for (const match of value.matchAll(SECRET_PLACEHOLDER)) into.add(match[1] as string);
  } else if (Array.isArray(value)) {
    if (value.length === 2 && value[0] === "secret" && typeof value[1] === "string") into.add(value[1]);
    else for (const item of value) referencedSecrets(item, into);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) referencedSecrets(item, into);
  }
  return into;
}

/** A rendered field: `value` is sent, `shown` (secrets as `***`) is what records and errors may hold. */
export interface RenderedField {
  readonly value: string;
  readonly shown: string;
}

/**
 * Renders a template with `render` (the node context's), substituting `{{secret.NAME}}` from
 * `secrets` afterwards, so a secret's value is never itself rendered as a template.
 */
export function renderSecretTemplate(
  template: SecretTemplate,
  render: (template: string) => string,
  secrets: Readonly<Record<string, string>>,
): RenderedField {
  if (typeof template !== "string") return { value: secretValue(secrets, template[1]), shown: SECRET_MASK };
  let value = "";
  let shown = "";
  let last = 0;
  for (const match of template.matchAll(SECRET_PLACEHOLDER)) {
    const before = render(template.slice(last, match.index));
    value += before + secretValue(secrets, match[1] as string);
    shown += before + SECRET_MASK;
    last = match.index + match[0].length;
  }
  const rest = render(template.slice(last));
  return { value: value + rest, shown: shown + rest };
}

function secretValue(secrets: Readonly<Record<string, string>>, name: string): string {
  const value = secrets[name];
  // resolved (and checked) before rendering starts
  if (value === undefined) throw new Error(`secret "${name}" was not resolved`);
  return value;
}

/** Replaces every occurrence of a secret value in `text` with `***` (longest values first). */
export function maskSecrets(text: string, secretValues: readonly string[]): string {
  let masked = text;
  for (const secret of [...secretValues].sort((a, b) => b.length - a.length)) {
    if (secret !== "") masked = masked.split(secret).join(SECRET_MASK);
  }
  return masked;
}

/** {@link maskSecrets} over every string inside a JSON value. */
export function maskSecretsDeep(value: unknown, secretValues: readonly string[]): unknown {
  if (secretValues.length === 0) return value;
  if (typeof value === "string") return maskSecrets(value, secretValues);
  if (Array.isArray(value)) return value.map((item) => maskSecretsDeep(item, secretValues));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [maskSecrets(k, secretValues), maskSecretsDeep(v, secretValues)]),
    );
  }
  return value;
}
