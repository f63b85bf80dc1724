import type { Command } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { type MigrationReportRow, migrateV1Workflows } from "../migrate-v1.ts";
import { parseCount } from "../parse-count.ts";
import { formatTable } from "../text-table.ts";

function problemSummary(row: MigrationReportRow): string | undefined {
  const first = row.problems[0];
  if (first === undefined) return undefined;
  const text = `${first.path === "" ? "" : `${first.path}: `}${first.message}`;
  return row.problems.length > 1 ? `${text} (+${row.problems.length - 1} more)` : text;
}

/** `portflow migrate-v1`. */
export function registerMigrateV1Command(program: Command, session: CliSession): void {
  program
    .command("migrate-v1")
    .summary("convert V1 workflows into V2 drafts (--dry-run to preview)")
    .description(
      "give every bot holding a V1 workflow a V2 draft converted from it. The V1 JSON stays in " +
        "legacy_workflow; nothing is published and use_workflow_v2 is not changed. Safe to re-run.",
    )
    .option("--dry-run", "write nothing; show what would change")
    .option("--limit <n>", "migrate at most this many bots (newest first)", parseCount)
    .option("--bot <bot-id>", "only this bot")
    .option(
      "--replace-draft",
      "replace a draft that differs from the converted workflow (default: leave it, report failed)",
    )
    .option("--verbose", "print every problem and the converted V2 JSON of each bot")
    .option("--json", "print the report as JSON")
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{
        dryRun?: boolean;
        limit?: number;
        bot?: string;
        replaceDraft?: boolean;
        verbose?: boolean;
        json?: boolean;
      }>();
      const { storage, registry } = await session.context();
      const rows = await migrateV1Workflows(storage, registry, {
        dryRun: options.dryRun === true,
        replaceDrafts: options.replaceDraft === true,
        ...(options.limit !== undefined && { limit: options.limit }),
        ...(options.bot !== undefined && { botId: options.bot }),
      });
      const failed = rows.filter((row) => row.action === "failed").length;
      if (options.json === true) {
        session.json({
          dryRun: options.dryRun === true,
          rows: options.verbose === true ? rows : rows.map(({ graph: _graph, ...row }) => row),
        });
      } else if (rows.length === 0) {
        session.out("no bot holds a V1 workflow: nothing to migrate");
      } else {
        session.out(
          formatTable(
            [
              { header: "bot" },
              { header: "name" },
              { header: "action" },
              { header: "nodes", align: "right" },
              { header: "problems" },
              { header: "detail" },
            ],
            rows.map((row) => [row.botId, row.name, row.action, row.nodes, problemSummary(row), row.detail]),
          ),
        );
        if (options.verbose === true) {
          for (const row of rows) {
            session.out("", `# ${row.botId} (${row.name}): ${row.action}`);
            for (const p of row.problems)
              session.out(`  problem: ${p.path === "" ? "(workflow)" : p.path}: ${p.message}`);
            if (row.graph !== undefined && row.action !== "failed") session.out(JSON.stringify(row.graph, null, 2));
          }
        }
        const counts = new Map<string, number>();
        for (const row of rows) counts.set(row.action, (counts.get(row.action) ?? 0) + 1);
        session.out(
          "",
          `${rows.length} bot${rows.length === 1 ? "" : "s"}: ${[...counts].map(([action, n]) => `${n} ${action}`).join(", ")}` +
            (options.dryRun === true ? " (dry run: nothing was written)" : ""),
        );
      }
      if (failed > 0) {
        throw new CliError(`${failed} bot${failed === 1 ? "" : "s"} could not be migrated (see the problems column)`);
      }
    });
}
