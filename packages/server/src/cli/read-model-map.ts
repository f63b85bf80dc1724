import type { ModelMap } from "@portflow/dify";
import { CliError } from "./cli-error.ts";
import { readJsonFile } from "./read-json-file.ts";

/**
 * Reads a `--model-map` file: JSON mapping a Dify `provider/model` (or `model`) to a Portflow
 * `{provider, name}`. Every entry that does not fit is named in one CliError.
 *
 * @example
 * // model-map.json: { "openai/gpt-4o": { "provider": "bedrock", "name": "anthropic.claude-haiku-4-5-20251001-v1:0" } }
 * const map = await readModelMap("model-map.json");
 */
export async function readModelMap(path: string): Promise<ModelMap> {
  const json = await readJsonFile(path);
  // loaded on use, like the importer
  const { modelMapSchema } = await import("@portflow/dify");
  const parsed = modelMapSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `${where === "" ? "$" : where.replace(/^\./, "")}: ${issue.message}`;
  });
  throw new CliError(
    `${path} is not a model map ({"provider/model": {"provider": …, "name": …}}): ${problems.join("; ")}`,
  );
}
