import { RUN_STATUSES, type Storage, type StoredRunStatus } from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { AppError } from "../../app-error.ts";
import { saveConversation } from "../../conversation-state.ts";
import { rerunSpec, resumeSpec } from "../../run-attempt-spec.ts";
import { runNotRecordedError } from "../../run-not-recorded.ts";
import type { RunSpec } from "../../run-spec.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTokens } from "../format-tokens.ts";
import { withInterrupt } from "../interrupt-signal.ts";
import { nodeStatusLabel } from "../node-status-label.ts";
import { parseCount } from "../parse-count.ts";
import { requireBot } from "../require-bot.ts";
import { roundLabel } from "../round-label.ts";
import { printRun, throwIfRunFailed } from "../run-output.ts";
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

/** How a spec's workflow reads to a person, as `portflow run` names it: `V2 version 3`, `V2 draft`. */
async function workflowLabel(storage: Storage, spec: RunSpec): Promise<string> {
  if (spec.target.kind === "legacy") return "V1 workflow (through the adapter)";
  const version = await storage.workflowVersions.get(spec.bot_id, spec.target.workflow_version_id);
  if (version === undefined) return "a removed workflow version";
  return `V${version.schemaVersion} ${version.versionNumber === null ? "draft" : `version ${version.versionNumber}`}`;
}

interface AttemptOptions {
  readonly from?: string;
  readonly version?: number;
  readonly json?: boolean;
}

/** `runs resume` and `runs rerun`: a new attempt at a stored run, shown as `portflow run` shows a run. */
async function runAttempt(
  session: CliSession,
  runId: string,
  kind: "resume" | "rerun",
  options: AttemptOptions,
): Promise<void> {
  const context = await session.context();
  const { storage, runner, runService } = context;
  const botId = (await storage.runSpecs.get(runId))?.botId;
  if (botId === undefined || botId === null) throw new CliError(`run ${runId} does not exist`);
  let spec: RunSpec;
  try {
    spec =
      kind === "rerun"
        ? await rerunSpec(context, botId, runId)
        : await resumeSpec(context, botId, runId, {
            ...(options.from !== undefined && { fromNode: options.from }),
            ...(options.version !== undefined && { version: options.version }),
          });
  } catch (error) {
    throw cliError(error, options);
  }
  await withInterrupt(async (signal) => {
    let target: Awaited<ReturnType<typeof runService.target>>;
    let handle: Awaited<ReturnType<typeof runService.start>>;
    try {
      target = await runService.target(spec);
      handle = await runService.start(spec, { signal, target });
    } catch (error) {
      throw cliError(error, options);
    }
    const result = await printRun(session, handle, {
      botId,
      label: await workflowLabel(storage, spec),
      json: options.json === true,
      answersOnly: runner.compile(target).hasAnswers,
      extra: { resumedFrom: kind === "resume" ? runId : null },
    });
    const unrecorded = runNotRecordedError(result);
    if (unrecorded !== undefined) throw new CliError(unrecorded.message);
    if (spec.session_id !== undefined) await saveConversation(storage, botId, spec.session_id, result);
    throwIfRunFailed(result, signal);
  });
}

/** An AppError in the CLI's terms: an unknown `--from` node is a usage error (exit 2), the rest exit 1. */
function cliError(error: unknown, options: AttemptOptions): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.code === "validation_error" && options.from !== undefined) {
    return new CliError(`--from ${options.from}: no top-level node of that id in the workflow`, 2);
  }
  const problems = (error.details as { problems?: { path: string; message: string }[] } | undefined)?.problems;
  const listed = (problems ?? []).map((p) => `; ${p.path}: ${p.message}`).join("");
  return new CliError(`${error.message}${listed}`);
}

/** `portflow runs list|show|resume|rerun`. */
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
            nodeStatusLabel({ ...n, attempts: 1 }), // attempts have their own column
            n.attempts,
            n.elapsedMs.toFixed(1),
            formatTokens(n.tokens),
            n.error?.message,
          ]),
        ),
      );
    });

  runs
    .command("resume")
    .description(
      "resume a failed, interrupted or cancelled run: nodes that succeeded are not run again, the failed node and everything after it run",
    )
    .argument("<run-id>")
    .option("--from <node>", "re-run from this top-level node and everything downstream of it")
    .option(
      "--version <n>",
      "run on this published version number of the bot (refused unless compatible up to the resume point)",
      parseCount,
    )
    .option("--json", "print the result as JSON (as `portflow run --json`, with resumed_from)")
    .action((runId: string, options: AttemptOptions) => runAttempt(session, runId, "resume", options));

  runs
    .command("rerun")
    .description("run a run again from scratch with the same spec (inputs, history, version)")
    .argument("<run-id>")
    .option("--json", "print the result as JSON (as `portflow run --json`)")
    .action((runId: string, options: AttemptOptions) => runAttempt(session, runId, "rerun", options));
}
