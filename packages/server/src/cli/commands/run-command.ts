import type { RunHandle } from "@portflow/engine";
import type { Command } from "commander";
import { AppError } from "../../app-error.ts";
import { botWorkflowTarget } from "../../bot-workflow-target.ts";
import { saveConversation } from "../../conversation-state.ts";
import { runNotRecordedError } from "../../run-not-recorded.ts";
import { RunService } from "../../run-service.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTokens } from "../format-tokens.ts";
import { INTERRUPTED_EXIT_CODE, withInterrupt } from "../interrupt-signal.ts";
import { nodeTimeline } from "../node-timeline.ts";
import { requireBot } from "../require-bot.ts";

interface Source {
  readonly label: string;
  readonly score: number | undefined;
  readonly excerpt: string;
}

function sourcesOf(outputs: Readonly<Record<string, unknown>>): Source[] {
  const list = Array.isArray(outputs.sources) ? outputs.sources : [];
  return list
    .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null)
    .map((s) => {
      const meta = (typeof s.metadata === "object" && s.metadata !== null ? s.metadata : {}) as Record<string, unknown>;
      const name = typeof meta.filename === "string" ? meta.filename : String(s.document_id ?? "?");
      const where =
        typeof meta.page === "number"
          ? ` p.${meta.page}`
          : typeof meta.heading === "string" && meta.heading !== ""
            ? ` § ${meta.heading}`
            : "";
      const content = typeof s.content === "string" ? s.content.replace(/\s+/g, " ").trim() : "";
      return {
        label: `${name}${where}`,
        score: typeof s.score === "number" ? s.score : undefined,
        excerpt: content.length > 90 ? `${content.slice(0, 89)}…` : content,
      };
    });
}

function answerOf(outputs: Readonly<Record<string, unknown>>): string {
  const { answer, text } = outputs;
  return typeof answer === "string" ? answer : typeof text === "string" ? text : "";
}

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
        const json = options.json === true;
        let streamed = "";
        if (!json) {
          session.err(`bot ${bot.id} · ${label} · run ${handle.runId}`);
          const answersOnly = runner.compile(target).hasAnswers;
          handle.on("node.chunk", (event) => {
            if (answersOnly && event.answer !== true) return;
            streamed += event.chunk;
            session.io.stdout.write(event.chunk);
          });
        }
        const result = await handle.result;
        const answer = answerOf(result.outputs);
        const sources = sourcesOf(result.outputs);
        if (json) {
          session.json({
            runId: result.runId,
            botId: bot.id,
            workflow: label,
            status: result.status,
            answer,
            sources: result.outputs.sources ?? [],
            error: result.error ?? null,
            totals: result.totals,
            nodes: result.nodes.map(({ inputs: _i, outputs: _o, processData: _p, ...node }) => node),
          });
        } else {
          if (streamed === "" && answer !== "") session.io.stdout.write(answer);
          if (streamed !== "" || answer !== "") session.out("");
          session.out("");
          if (sources.length > 0) {
            session.out("Sources:");
            for (const [i, s] of sources.entries()) {
              const score = s.score !== undefined ? ` (score ${s.score.toFixed(2)})` : "";
              session.out(`  [${i + 1}] ${s.label}${score}: ${s.excerpt}`);
            }
            session.out("");
          }
          const tokens = formatTokens(result.totals.tokens);
          session.out(
            `Timeline: run ${result.runId} ${result.status} in ${result.totals.elapsedMs.toFixed(0)} ms` +
              `, ${result.totals.steps} steps${tokens !== undefined ? `, ${tokens} tokens` : ""}`,
          );
          session.out(nodeTimeline(result));
        }
        const unrecorded = runNotRecordedError(result);
        if (unrecorded !== undefined) throw new CliError(unrecorded.message);
        if (sessionId !== undefined) await saveConversation(storage, bot.id, sessionId, result);
        if (result.status === "failed" || result.status === "cancelled") {
          const where = result.error?.nodeId !== undefined ? ` at node ${result.error.nodeId}` : "";
          throw new CliError(
            `run ${result.runId} ${result.status}${where}: ${result.error?.message ?? "no detail"}`,
            signal.aborted ? INTERRUPTED_EXIT_CODE : 1,
          );
        }
      });
    });
}
