/**
 * A legacy bot moves from V1 to V2 with the `portflow` CLI: it answers through the V1 adapter,
 * `migrate-v1 --dry-run` shows what would change, `migrate-v1` saves the V2 draft, the draft is
 * published, the bot is switched to V2, and it answers the same question through V2.
 *
 * Run: `pnpm --filter @portflow/example-v1-migration start` (data in ./.portflow/v1-migration,
 * or PORTFLOW_DATA_DIR / DATABASE_URL).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const here = import.meta.dirname;
const cli = join(here, "..", "..", "packages", "server", "bin", "portflow.js");
const QUESTION = "How many days do I have to return a bike?";

export interface MigrationWalkthrough {
  readonly v1Answer: string;
  readonly v2Answer: string;
  readonly transcript: string;
}

/** Runs the walkthrough; `echo` receives each command and its output as it happens. */
export function walkThrough(env: NodeJS.ProcessEnv, echo: (text: string) => void = () => {}): MigrationWalkthrough {
  let transcript = "";
  const portflow = (...args: string[]): string => {
    const shown = args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ");
    const out = execFileSync(process.execPath, [cli, ...args], { cwd: here, env, encoding: "utf8" });
    const block = `\n$ portflow ${shown}\n${out}`;
    transcript += block;
    echo(block);
    return out;
  };
  // The answer is what `portflow run` streams before its "Sources:" block.
  const answerOf = (out: string) => out.slice(0, out.indexOf("\nSources:")).trim();

  const bot = JSON.parse(
    portflow("bots", "create", "--name", "Legacy support bot", "--v1-workflow", "v1-workflow.json", "--json"),
  ) as { id: string };
  portflow("ingest", "--bot", bot.id, "../rag-bot/documents/returns-policy.md", "../rag-bot/documents/warranty.md");
  const v1Answer = answerOf(portflow("run", "--bot", bot.id, QUESTION));
  portflow("migrate-v1", "--dry-run", "--bot", bot.id);
  portflow("migrate-v1", "--bot", bot.id);
  portflow("workflow", "publish", "--bot", bot.id);
  portflow("bots", "update", bot.id, "--use-workflow-v2", "on");
  const v2Answer = answerOf(portflow("run", "--bot", bot.id, QUESTION));
  return { v1Answer, v2Answer, transcript };
}

if (process.argv[1]?.endsWith("main.ts")) {
  const env = {
    ...process.env,
    PORTFLOW_DATA_DIR: process.env.PORTFLOW_DATA_DIR ?? join(here, ".portflow", "v1-migration"),
  };
  const { v1Answer, v2Answer } = walkThrough(env, (text) => process.stdout.write(text));
  process.stdout.write(`\nSame answer before and after the migration: ${v1Answer === v2Answer ? "yes" : "no"}\n`);
}
