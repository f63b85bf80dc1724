import { RUN_STATUSES, type Storage, type StoredRunStatus } from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTokens } from "../format-tokens.ts";
import { parseCount } from "../parse-count.ts";
import { requireBot } from "../require-bot.ts";
import { roundLabel } from "../round-label.ts";
import { formatFields, formatTable } from "../text-table.ts";

function parseStatus(value: string): StoredRunStatus {
  if (!RUN_STATUSES.includes(value as StoredRunStatus)) {
    throw new InvalidArgumentError(`expected one of ${RUN_STATUSES.join(", ")}`);
  }
  return value as StoredRunStatus;
}

/** Version id → `v3`, for the bot's published and archived versions. */
async function versionNames(storage: Storage, botId: string): Promise<Map<string, string>> {
  const page = await storage.workflowVersions.list(botId, { limit: 200 });
  return new Map(page.items.map((v) => [v.id, `#${v.versionNumber}`]));
}

function ms(value: number | null): string | undefined {
  return value === null ? undefined : value.toFixed(0);
}

function short(value: unknown, max = 200): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `portflow runs list|show`. */
export function registerRunsCommands(program: Command, session: CliSession): void {
  const runs = program.command("runs").description("recorded workflow runs");

  runs
    .command("list")
    .description("list a bot's runs, newest first")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--status <status>", `only runs in this status (${RUN_STATUSES.join(", ")})`, parseStatus)
    .option("--limit <n>", "at most this many (1..200, default 20)", parseCount)
    .option("--json", "print JSON")
    .action(async (options: { bot: string; status?: StoredRunStatus; limit?: number; json?: boolean }) => {
      const storage = await session.storage();
      const bot = await requireBot(storage, options.bot);
      const list = await storage.runs.list(bot.id, {
        ...(options.status !== undefined && { status: options.status }),
        limit: Math.min(options.limit ?? 20, 200),
      });
      if (options.json === true) return session.json(list);
      if (list.items.length === 0)
        return session.out(`no runs of bot ${bot.id}${options.status ? ` in status ${options.status}` : ""}`);
      const versions = await versionNames(storage, bot.id);
      session.out(
        formatTable(
          [
            { header: "run" },
            { header: "status" },
            { header: "trigger" },
            { header: "workflow" },
            { header: "steps", align: "right" },
            { header: "tokens", align: "right" },
            { header: "ms", align: "right" },
            { header: "started" },
          ],
          list.items.map((r) => [
            r.id,
            r.status,
            r.trigger,
            r.workflowVersionId === null ? "V1 (legacy)" : (versions.get(r.workflowVersionId) ?? r.workflowVersionId),
            r.totalSteps,
            formatTokens(r.tokens),
            ms(r.elapsedMs),
            r.startedAt,
          ]),
        ),
      );
      if (list.nextCursor !== null) session.out("(more runs: raise --limit)");
    });

  runs
    .command("show")
    .description("show one run: inputs, answer, error and every node execution")
    .argument("<run-id>")
    .option("--bot <bot-id>", "the run's bot (found from the run when omitted)")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { bot?: string; json?: boolean }) => {
      const storage = await session.storage();
      const botId =
        options.bot ??
        (
          await storage.database.db
            .selectFrom("workflow_execution_runs")
            .select("bot_id")
            .where("id", "=", runId)
            .executeTakeFirst()
        )?.bot_id;
      const run = botId === undefined || botId === null ? undefined : await storage.runs.get(botId, runId);
      if (run === undefined) {
        throw new CliError(`run ${runId} does not exist${options.bot !== undefined ? ` for bot ${options.bot}` : ""}`);
      }
      if (options.json === true) return session.json(run);
      const versions = run.botId === null ? new Map<string, string>() : await versionNames(storage, run.botId);
      const inputs = (run.inputs ?? {}) as Record<string, unknown>;
      const outputs = (run.outputs ?? {}) as Record<string, unknown>;
      const fields: [string, unknown][] = [
        ["run", run.id],
        ["bot", run.botId],
        [
          "workflow",
          run.workflowVersionId === null
            ? "V1 (legacy)"
            : (versions.get(run.workflowVersionId) ?? run.workflowVersionId),
        ],
        ["status", run.status],
        ["trigger", run.trigger],
        ["started", run.startedAt],
        ["finished", run.finishedAt],
        ["elapsed ms", ms(run.elapsedMs)],
        ["steps", run.totalSteps],
        ["tokens", formatTokens(run.tokens)],
        ["question", short(inputs.query ?? inputs)],
        ["answer", short(outputs.answer ?? outputs.text, 500)],
        [
          "error",
          run.error === null
            ? undefined
            : `${run.error.message}${run.error.nodeId ? ` (node ${run.error.nodeId})` : ""}`,
        ],
      ];
      session.out(formatFields(fields));
      session.out("");
      session.out(
        formatTable(
          [
            { header: "step", align: "right" },
            { header: "node" },
            { header: "round" },
            { header: "type" },
            { header: "status" },
            { header: "attempts", align: "right" },
            { header: "ms", align: "right" },
            { header: "tokens", align: "right" },
            { header: "error" },
          ],
          run.nodes.map((n) => [
            n.stepIndex,
            n.nodeId,
            roundLabel(n.parentNodeId, n.iterationIndex),
            n.nodeType,
            n.status,
            n.attempts,
            n.elapsedMs.toFixed(1),
            formatTokens(n.tokens),
            n.error?.message,
          ]),
        ),
      );
    });
}
