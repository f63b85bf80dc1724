import type { RunHandle } from "@portflow/engine";
import type { Command } from "commander";
import { AppError } from "../../app-error.ts";
import { botWorkflowTarget } from "../../bot-workflow-target.ts";
import { saveConversation } from "../../conversation-state.ts";
import { runNotRecordedError } from "../../run-not-recorded.ts";
import { RunService } from "../../run-service.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { withInterrupt } from "../interrupt-signal.ts";
import { requireBot } from "../require-bot.ts";
import { printRun, throwIfRunFailed } from "../run-output.ts";

/** `portflow run --bot ID "question"`. */
export function registerRunCommand(program: Command, session: CliSession): void {
  program
    .command("run")
    .description("ask a bot a question: streams the answer, then prints its sources and a per-node timeline")
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<question>")
    .option("--json", "print the result as JSON instead of streaming")
    .option("--session <session-id>", "continue a chat session: its conversation variables are read and updated")
    .action(async (question: string, options: { bot: string; json?: boolean; session?: string }) => {
      const { storage, runner, runService } = await session.context();
      const bot = await requireBot(storage, options.bot);
      const found = await botWorkflowTarget(storage, bot);
      if (found === undefined) {
        throw new CliError(
          bot.useWorkflowV2
            ? `bot ${bot.id} has no workflow to run: push and publish one first (portflow workflow push, workflow publish)`
            : `bot ${bot.id} has no workflow to run: it has no V1 workflow and does not use V2`,
        );
      }
      const { target, label } = found;
      const sessionId = options.session;
      await withInterrupt(async (signal) => {
        let handle: RunHandle;
        try {
          handle = await runService.start(
            {
              spec_version: 1,
              bot_id: bot.id,
              target: RunService.targetSpec(target),
              inputs: { query: question },
              history: [],
              system: { query: question, ...(sessionId !== undefined && { session_id: sessionId }) },
              trigger: "cli",
              ...(sessionId !== undefined && { session_id: sessionId }),
            },
            { signal, target },
          );
        } catch (error) {
          if (error instanceof AppError && error.code === "workflow_invalid") {
            const problems = (error.details as { problems?: { path: string; message: string }[] } | undefined)
              ?.problems;
            for (const p of problems ?? []) session.err(`problem: ${p.path}: ${p.message}`);
            throw new CliError(`bot ${bot.id}'s ${label} cannot run: ${error.message}`);
          }
          throw error;
        }
        const result = await printRun(session, handle, {
          botId: bot.id,
          label,
          json: options.json === true,
          answersOnly: runner.compile(target).hasAnswers,
        });
        const unrecorded = runNotRecordedError(result);
        if (unrecorded !== undefined) throw new CliError(unrecorded.message);
        if (sessionId !== undefined) await saveConversation(storage, bot.id, sessionId, result);
        throwIfRunFailed(result, signal);
      });
    });
}
