import { readFile, writeFile } from "node:fs/promises";
import type { DifyImport } from "@portflow/dify";
import type { Command } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { readModelMap } from "../read-model-map.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read it (${(error as Error).message})`,
    );
  }
}

/** The report as a table: one row per node or file part. */
function reportTable(result: DifyImport): string {
  const rows = result.report.items.map((item) => [
    item.dify,
    item.needs_node_type !== undefined ? `mapped (needs node type ${item.needs_node_type})` : item.status,
    item.portflow_type,
    item.notes.join("; ") || undefined,
  ]);
  return formatTable([{ header: "dify" }, { header: "status" }, { header: "portflow" }, { header: "notes" }], rows);
}

/** `portflow import dify <file.yml> [--out workflow.json] [--bot ID]`. */
export function registerImportCommand(program: Command, session: CliSession): void {
  const group = program.command("import").description("import workflows made with other tools");
  group
    .command("dify")
    .description(
      "import a Dify DSL file (workflow or chatflow export) as a V2 workflow; prints what was mapped, approximated and dropped",
    )
    .argument("<file>", "the Dify .yml export")
    .option("--out <file>", "write the workflow JSON here")
    .option("--bot <bot-id>", "save it as this bot's draft (never published)")
    .option(
      "--model-map <file>",
      'JSON mapping Dify models to Portflow ones: {"openai/gpt-4o": {"provider": "bedrock", "name": "…"}}; unmapped models use the server\'s',
    )
    .option("--json", "print {workflow, problems, report} as JSON")
    .action(async (file: string, options: { out?: string; bot?: string; json?: boolean; modelMap?: string }) => {
      const modelMap = options.modelMap !== undefined ? await readModelMap(options.modelMap) : undefined;
      // loaded on use: other commands do not pay for the YAML parser at start-up
      const { importDifyDsl } = await import("@portflow/dify");
      const result = importDifyDsl(await readText(file), modelMap !== undefined ? { modelMap } : {});
      if (options.json === true) session.json(result);
      else if (result.report.items.length > 0) session.out(reportTable(result));
      for (const p of result.problems) {
        const where = p.line !== undefined ? ` (line ${p.line}, column ${p.column})` : "";
        session.err(`problem: ${p.path}${where}: ${p.message} [${p.code}]`);
      }
      if (result.workflow === undefined) {
        const n = result.problems.length;
        throw new CliError(`${file}: not imported (${n} problem${n === 1 ? "" : "s"})`);
      }
      const { report } = result;
      if (report.secrets.length > 0)
        session.err(`note: set these bot secrets before running it: ${report.secrets.join(", ")}`);
      if (options.json !== true) {
        for (const m of report.models) {
          const to =
            m.mapped_to === null ? "the server's configured provider" : `${m.mapped_to.provider} ${m.mapped_to.name}`;
          session.err(`model: ${m.provider}/${m.name} → ${to}`);
        }
      }
      if (report.needs_node_types.length > 0) {
        session.err(`note: uses node types Portflow does not have yet: ${report.needs_node_types.join(", ")}`);
      }
      if (options.out !== undefined) {
        await writeFile(options.out, `${JSON.stringify(result.workflow, null, 2)}\n`);
        if (options.json !== true) session.out(`wrote ${options.out} (${result.workflow.nodes.length} nodes)`);
      }
      if (options.bot !== undefined) {
        const { storage } = await session.context();
        const bot = await requireBot(storage, options.bot);
        const current = await storage.workflowVersions.getDraft(bot.id);
        const draft = await storage.workflowVersions.saveDraft(bot.id, result.workflow, {
          expectedRevision: current?.revision ?? 0,
          notes: `imported from Dify: ${file}`,
        });
        if (options.json !== true) {
          session.out(
            `saved as draft revision ${draft.revision} of bot ${bot.id}${draft.problems.length > 0 ? ` with ${draft.problems.length} validation problems` : ""} (not published)`,
          );
        }
      }
      if (options.out === undefined && options.bot === undefined && options.json !== true) {
        session.out("nothing saved: add --out <file> or --bot <bot-id> to keep the workflow");
      }
    });
}
