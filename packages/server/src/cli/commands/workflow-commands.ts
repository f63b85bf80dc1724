import type { RunResult } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import {
  ConflictError,
  InvalidWorkflowError,
  NotFoundError,
  type WorkflowVersion,
  workflowChecksum,
} from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { AppError } from "../../app-error.ts";
import { type DebugNodeSource, debugNodeSpec } from "../../debug-node-spec.ts";
import { runNotRecordedError } from "../../run-not-recorded.ts";
import { checkWorkflow } from "../check-workflow.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTokens } from "../format-tokens.ts";
import { withInterrupt } from "../interrupt-signal.ts";
import { nodeTimeline } from "../node-timeline.ts";
import { readJsonFile } from "../read-json-file.ts";
import { requireBot } from "../require-bot.ts";
import { throwIfRunFailed } from "../run-output.ts";
import { formatTable } from "../text-table.ts";

function parseRevision(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a revision number (0: no draft yet)");
  return Number(value);
}

function problemLine(p: { path: string; message: string; code?: string }): string {
  return `${p.path === "" ? "(workflow)" : p.path}: ${p.message}${p.code !== undefined ? ` [${p.code}]` : ""}`;
}

function shortChecksum(checksum: string): string {
  return checksum.replace(/^sha256:/, "").slice(0, 12);
}

function nodeCount(graph: unknown): number | undefined {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? nodes.length : undefined;
}

/** `--inputs` as a JSON object (a usage error otherwise). */
function parseInputs(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('expected a JSON object of values by input port, e.g. {"query": "hi"}');
  }
  return parsed as Record<string, unknown>;
}

/** The debug run's AppErrors as CLI errors: a bad input is a usage error (exit 2), the rest exit 1. */
function debugNodeError(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const problems = (error.details as { problems?: { path: string; message: string }[] } | undefined)?.problems;
  const listed = (problems ?? []).map((p) => `; ${p.path}: ${p.message}`).join("");
  return new CliError(`${error.message.replace(/^invalid request: /, "")}${listed}`, error.statusCode === 400 ? 2 : 1);
}

function versionJson(v: WorkflowVersion) {
  const { graph: _graph, ...rest } = v;
  return { ...rest, nodes: nodeCount(v.graph) ?? null };
}

/** `portflow workflow validate|push|publish|versions`. */
export function registerWorkflowCommands(program: Command, session: CliSession): void {
  const workflow = program.command("workflow").description("check, save, publish and list workflow versions");

  workflow
    .command("validate")
    .description("check a V1 or V2 workflow JSON file and list every problem with its JSON path (exit 1 if any)")
    .argument("<file>")
    .option("--json", "print the result as JSON")
    .action(async (file: string, options: { json?: boolean }) => {
      const check = checkWorkflow(await readJsonFile(file), createNodeRegistry());
      if (options.json === true) session.json({ file, ok: check.problems.length === 0, ...check });
      else if (check.problems.length === 0) {
        session.out(`${file}: valid V${check.schemaVersion} workflow (${check.nodes} nodes, ${check.edges} edges)`);
      } else {
        for (const p of check.problems) session.out(`${file}: ${problemLine(p)}`);
      }
      const n = check.problems.length;
      if (n > 0)
        throw new CliError(`${file}: ${n} problem${n === 1 ? "" : "s"} in this V${check.schemaVersion} workflow`);
    });

  workflow
    .command("push")
    .description(
      "save a workflow JSON file as the bot's draft (validated: saved even with problems, then exit 1; publish it with `workflow publish`)",
    )
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<file>")
    .option(
      "--expect-revision <n>",
      "save only if the draft is still at this revision (0: only if there is no draft); default: replace the draft",
      parseRevision,
    )
    .option("--notes <text>", "notes stored with the draft")
    .option("--json", "print the saved draft as JSON")
    .action(async (file: string, options: { bot: string; expectRevision?: number; notes?: string; json?: boolean }) => {
      const graph = await readJsonFile(file);
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      const current = await storage.workflowVersions.getDraft(bot.id);
      const expectedRevision = options.expectRevision ?? current?.revision ?? 0;
      let draft: WorkflowVersion;
      let unchanged = false;
      try {
        if (
          current !== undefined &&
          options.notes === undefined &&
          expectedRevision === current.revision &&
          current.checksum === workflowChecksum(graph)
        ) {
          draft = current;
          unchanged = true;
        } else {
          draft = await storage.workflowVersions.saveDraft(bot.id, graph, {
            expectedRevision,
            ...(options.notes !== undefined && { notes: options.notes }),
          });
        }
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const now =
          error.currentRevision === undefined || error.currentRevision === 0
            ? "has no draft"
            : `is at revision ${error.currentRevision}`;
        throw new CliError(
          options.expectRevision !== undefined
            ? `not saved: the draft of bot ${bot.id} ${now}, not revision ${expectedRevision} (someone saved it since you read it); ` +
                `look at it (portflow bots show ${bot.id}), then push with --expect-revision ${error.currentRevision ?? 0}, or without it to replace the draft`
            : `not saved: the draft of bot ${bot.id} changed while pushing (it ${now}); push again`,
        );
      }
      if (options.json === true) session.json(versionJson(draft));
      else {
        const what = unchanged
          ? `draft revision ${draft.revision} of bot ${bot.id} already holds ${file}; nothing changed`
          : `saved ${file} as draft revision ${draft.revision} of bot ${bot.id}`;
        session.out(
          `${what} (V${draft.schemaVersion}, ${nodeCount(draft.graph) ?? "?"} nodes, checksum ${shortChecksum(draft.checksum)})`,
        );
      }
      if (draft.problems.length > 0) {
        for (const p of draft.problems) session.err(`problem: ${problemLine(p)}`);
        // Saved all the same (a draft may be work in progress), but a script must notice.
        throw new CliError(
          `draft revision ${draft.revision} of bot ${bot.id} is saved with ${draft.problems.length} problem${draft.problems.length === 1 ? "" : "s"}: ` +
            "`workflow publish` refuses it until they are fixed",
        );
      }
      if (options.json !== true) {
        session.out(`next: portflow workflow publish --bot ${bot.id}`);
      }
    });

  workflow
    .command("publish")
    .description("publish the bot's draft as its next version (the previous one is archived)")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--expect-revision <n>", "publish only if the draft is still at this revision", parseRevision)
    .option("--notes <text>", "notes for the published version (default: the draft's)")
    .option("--json", "print the published version as JSON")
    .action(async (options: { bot: string; expectRevision?: number; notes?: string; json?: boolean }) => {
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      let version: WorkflowVersion;
      try {
        version = await storage.workflowVersions.publish(bot.id, {
          ...(options.expectRevision !== undefined && { expectedRevision: options.expectRevision }),
          ...(options.notes !== undefined && { notes: options.notes }),
        });
      } catch (error) {
        if (error instanceof InvalidWorkflowError) {
          for (const p of error.problems) session.err(`problem: ${problemLine(p)}`);
          const n = error.problems.length;
          throw new CliError(
            n === 0
              ? `not published: the draft of bot ${bot.id} is not a V2 workflow that validates (V1 drafts cannot be published)`
              : `not published: the draft of bot ${bot.id} has ${n} problem${n === 1 ? "" : "s"}; fix them and push again`,
          );
        }
        if (error instanceof NotFoundError)
          throw new CliError(`${error.message}: push one first (portflow workflow push)`);
        if (error instanceof ConflictError) throw new CliError(`not published: ${error.message}`);
        throw error;
      }
      if (options.json === true) return session.json(versionJson(version));
      session.out(`published version ${version.versionNumber} of bot ${bot.id} (id ${version.id})`);
      if (!bot.useWorkflowV2) {
        session.err(
          `note: bot ${bot.id} does not use V2 (use_workflow_v2 is off): chats still run its V1 workflow ` +
            `until you switch it (portflow bots update ${bot.id} --use-workflow-v2 on)`,
        );
      }
    });

  workflow
    .command("versions")
    .description("list the bot's draft and published versions, newest first")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--json", "print JSON")
    .action(async (options: { bot: string; json?: boolean }) => {
      const { storage } = await session.context();
      const bot = await requireBot(storage, options.bot);
      const [draft, page] = await Promise.all([
        storage.workflowVersions.getDraft(bot.id),
        storage.workflowVersions.list(bot.id, { limit: 200 }),
      ]);
      if (options.json === true) {
        return session.json({
          draft: draft === undefined ? null : versionJson(draft),
          versions: page.items.map(versionJson),
          total: page.total,
        });
      }
      const rows: unknown[][] = [];
      if (draft !== undefined) {
        rows.push([
          "draft",
          `rev ${draft.revision}${draft.valid ? "" : `, ${draft.problems.length} problems`}`,
          nodeCount(draft.graph),
          shortChecksum(draft.checksum),
          draft.updatedAt,
          draft.notes,
        ]);
      }
      for (const v of page.items) {
        rows.push([
          `#${v.versionNumber}`,
          v.current ? "published (current)" : v.status,
          nodeCount(v.graph),
          shortChecksum(v.checksum),
          v.publishedAt,
          v.notes,
        ]);
      }
      if (rows.length === 0) return session.out(`bot ${bot.id} has no draft and no versions yet`);
      session.out(
        formatTable(
          [
            { header: "version" },
            { header: "status" },
            { header: "nodes", align: "right" },
            { header: "checksum" },
            { header: "saved / published" },
            { header: "notes" },
          ],
          rows,
        ),
      );
    });

  workflow
    .command("debug-node")
    .description(
      "run one node of the bot's draft alone (recorded with trigger debug): its input ports take --inputs, or the outputs --from-run recorded upstream of it",
    )
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<node>", "a top-level node id of the draft")
    .option("--from-run <run-id>", "a run of the bot: the node reads the outputs it recorded upstream")
    .option(
      "--inputs <json>",
      'values for the node\'s input ports, a JSON object (default {}), e.g. {"prev": "hi"}',
      parseInputs,
    )
    .option("--json", "print {run_id, status, node_id, inputs, outputs, error, totals} as JSON")
    .action(
      async (
        nodeId: string,
        options: { bot: string; fromRun?: string; inputs?: Record<string, unknown>; json?: boolean },
      ) => {
        if (options.fromRun !== undefined && options.inputs !== undefined) {
          throw new CliError("give --inputs or --from-run, not both", 2);
        }
        const context = await session.context();
        const bot = await requireBot(context.storage, options.bot);
        const source: DebugNodeSource =
          options.fromRun !== undefined ? { fromRun: options.fromRun } : { inputs: options.inputs ?? {} };
        await withInterrupt(async (signal) => {
          let result: RunResult;
          try {
            const spec = await debugNodeSpec(context, bot.id, nodeId, source, "--inputs");
            result = await (await context.runService.start(spec, { signal })).result;
          } catch (error) {
            throw debugNodeError(error);
          }
          const record = result.nodes.find((n) => n.nodeId === nodeId);
          if (options.json === true) {
            session.json({
              runId: result.runId,
              status: result.status,
              nodeId,
              inputs: record?.inputs ?? {},
              outputs: record?.outputs ?? {},
              error: result.error ?? null,
              totals: result.totals,
            });
          } else {
            session.out(JSON.stringify(record?.outputs ?? {}, null, 2), "");
            const tokens = formatTokens(result.totals.tokens);
            session.out(
              `node ${nodeId} of bot ${bot.id}'s draft: run ${result.runId} ${result.status} in ${result.totals.elapsedMs.toFixed(0)} ms${tokens !== undefined ? `, ${tokens} tokens` : ""}`,
            );
            session.out(nodeTimeline(result));
          }
          const unrecorded = runNotRecordedError(result);
          if (unrecorded !== undefined) throw new CliError(unrecorded.message);
          throwIfRunFailed(result, signal);
        });
      },
    );
}
