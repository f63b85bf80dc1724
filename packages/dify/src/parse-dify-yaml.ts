import { parseDocument } from "yaml";
import type { ImportProblem } from "./import-problem.ts";

/** Parsed YAML, or the problems that stopped it (each with line and column where known). */
export type YamlParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: ImportProblem[] };

/** Parses YAML text without throwing; aliases are capped so a small file cannot expand without bound. */
export function parseDifyYaml(text: string): YamlParse {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        const where = pos ? ` (line ${pos.line}, column ${pos.col})` : "";
        return {
          path: "$",
          code: "invalid_yaml",
          message: `not valid YAML${where}: ${(error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
          ...(pos && { line: pos.line, column: pos.col }),
        };
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1_000 }) };
  } catch (error) {
    return {
      ok: false,
      problems: [{ path: "$", code: "invalid_yaml", message: `not usable YAML: ${(error as Error).message}` }],
    };
  }
}
