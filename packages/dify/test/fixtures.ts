import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The text of a fixture under test/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
}

export const FIXTURES = [
  "support-chatflow.yml",
  "research-workflow.yml",
  "loop-refine-workflow.yml",
  "tools-and-agents-workflow.yml",
  "intake-chatflow.yml",
] as const;
