import { isWorkflowV2Json, validateWorkflow } from "@portflow/engine";
import type { Bot, Storage } from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { parseCount } from "../parse-count.ts";
import { readJsonFile } from "../read-json-file.ts";
import { requireBot } from "../require-bot.ts";
import { formatFields, formatTable } from "../text-table.ts";

/** Which workflow a chat with this bot runs (the chat route's rule). */
function runsWhat(bot: Bot): string {
  if (bot.useWorkflowV2 && bot.publishedVersionId !== null) return "v2";
  if (bot.legacyWorkflow !== null && bot.legacyWorkflow !== undefined) return "v1";
  return "none";
}

function nodeCount(graph: unknown): number | undefined {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? nodes.length : undefined;
}

function describeRuns(bot: Bot): string {
  const runs = runsWhat(bot);
  return runs === "v2"
    ? "its published V2 version"
    : runs === "v1"
      ? "its V1 workflow, through the adapter"
      : "nothing yet (no published version, no V1 workflow)";
}

function parseSwitch(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (["on", "true", "yes", "1"].includes(v)) return true;
  if (["off", "false", "no", "0"].includes(v)) return false;
  throw new InvalidArgumentError("expected on or off");
}

/** A bot with its draft, published version and document count, for `bots show`. */
async function botDetails(storage: Storage, bot: Bot) {
  const [draft, published, documents] = await Promise.all([
    storage.workflowVersions.getDraft(bot.id),
    storage.workflowVersions.getCurrent(bot.id),
    storage.documents.list(bot.id, { limit: 1 }),
  ]);
  return {
    bot,
    runs: runsWhat(bot),
    draft:
      draft === undefined
        ? null
        : {
            id: draft.id,
            revision: draft.revision,
            schemaVersion: draft.schemaVersion,
            nodes: nodeCount(draft.graph) ?? null,
            checksum: draft.checksum,
            valid: draft.valid,
            problems: draft.problems,
            notes: draft.notes,
            updatedAt: draft.updatedAt,
          },
    published:
      published === undefined
        ? null
        : {
            id: published.id,
            versionNumber: published.versionNumber,
            schemaVersion: published.schemaVersion,
            nodes: nodeCount(published.graph) ?? null,
            checksum: published.checksum,
            publishedAt: published.publishedAt,
          },
    documents: documents.total,
  };
}

/** `portflow bots create|update|list|show|delete`. */
export function registerBotsCommands(program: Command, session: CliSession): void {
  const bots = program.command("bots").description("create and inspect bots");

  bots
    .command("create")
    .description("create a bot")
    .requiredOption("--name <name>", "the bot's name")
    .option("--description <text>", "what the bot is for")
    .option("--v1-workflow <file>", "a legacy V1 workflow JSON for the bot (it then answers through the V1 adapter)")
    .option("--json", "print the bot as JSON")
    .action(async (options: { name: string; description?: string; v1Workflow?: string; json?: boolean }) => {
      let legacy: unknown;
      let problems: readonly { readonly path: string; readonly message: string }[] = [];
      if (options.v1Workflow !== undefined) {
        legacy = await readJsonFile(options.v1Workflow);
        if (isWorkflowV2Json(legacy)) {
          throw new CliError(
            `${options.v1Workflow} is a V2 workflow: create the bot without it, then \`portflow workflow push\` and \`workflow publish\``,
          );
        }
        // The node types are loaded only here: the other bot commands start without them.
        const { createNodeRegistry } = await import("@portflow/nodes");
        problems = validateWorkflow(legacy, createNodeRegistry()).problems;
        for (const p of problems) session.err(`problem: ${options.v1Workflow}: ${p.path}: ${p.message}`);
      }
      const storage = await session.storage();
      const bot = await storage.bots.create({
        name: options.name,
        ...(options.description !== undefined && { description: options.description }),
        ...(legacy !== undefined && { legacyWorkflow: legacy, useWorkflowV2: false }),
      });
      if (options.json === true) session.json(bot);
      else {
        session.out(`created bot ${bot.id} (${bot.name})`);
        session.out(
          legacy !== undefined
            ? `it answers with its V1 workflow; \`portflow migrate-v1 --bot ${bot.id}\` makes a V2 draft of it`
            : `next: \`portflow workflow push --bot ${bot.id} <file>\`, then \`portflow workflow publish --bot ${bot.id}\``,
        );
      }
      if (problems.length > 0) {
        const n = problems.length;
        throw new CliError(
          `bot ${bot.id} was created with its V1 workflow as it is, but the workflow has ${n} problem${n === 1 ? "" : "s"} and cannot run until fixed`,
        );
      }
    });

  bots
    .command("delete")
    .description("delete a bot with its versions, runs, documents, keys and secrets")
    .argument("<bot-id>")
    .option("--json", "print {id, deleted} as JSON")
    .action(async (botId: string, options: { json?: boolean }) => {
      const storage = await session.storage();
      if (!(await storage.bots.delete(botId))) throw new CliError(`bot ${botId} does not exist`);
      if (options.json === true) return session.json({ id: botId, deleted: true });
      session.out(`deleted bot ${botId}`);
    });

  bots
    .command("update")
    .description("change a bot's name, description, or whether chats run its published V2 version")
    .argument("<bot-id>")
    .option("--name <name>")
    .option("--description <text>")
    .option(
      "--use-workflow-v2 <on|off>",
      "on: chats run the published V2 version; off: its V1 workflow (the V1 JSON is kept either way)",
      parseSwitch,
    )
    .option("--json", "print the bot as JSON")
    .action(
      async (
        botId: string,
        options: { name?: string; description?: string; useWorkflowV2?: boolean; json?: boolean },
      ) => {
        const storage = await session.storage();
        await requireBot(storage, botId);
        const bot = await storage.bots.update(botId, {
          ...(options.name !== undefined && { name: options.name }),
          ...(options.description !== undefined && { description: options.description }),
          ...(options.useWorkflowV2 !== undefined && { useWorkflowV2: options.useWorkflowV2 }),
        });
        if (bot === undefined) throw new CliError(`bot ${botId} does not exist`);
        if (options.json === true) return session.json(bot);
        session.out(`updated bot ${bot.id}: chats run ${describeRuns(bot)}`);
        if (bot.useWorkflowV2 && bot.publishedVersionId === null) {
          session.err(
            `note: bot ${bot.id} has no published version yet: \`portflow workflow publish --bot ${bot.id}\``,
          );
        }
      },
    );

  bots
    .command("list")
    .description("list bots, newest first")
    .option("--limit <n>", "at most this many (default 50)", parseCount)
    .option("--json", "print JSON")
    .action(async (options: { limit?: number; json?: boolean }) => {
      const storage = await session.storage();
      const page = await storage.bots.list({ limit: options.limit ?? 50 });
      if (options.json === true) return session.json(page);
      if (page.items.length === 0) return session.out("no bots yet: `portflow bots create --name <name>`");
      session.out(
        formatTable(
          [{ header: "id" }, { header: "name" }, { header: "status" }, { header: "runs" }, { header: "created" }],
          page.items.map((b) => [b.id, b.name, b.status, runsWhat(b), b.createdAt]),
        ),
      );
      if (page.total > page.items.length) session.out(`(${page.items.length} of ${page.total}; --limit shows more)`);
    });

  bots
    .command("show")
    .description("show a bot: its workflows, draft, published version and documents")
    .argument("<bot-id>")
    .option("--json", "print JSON")
    .action(async (botId: string, options: { json?: boolean }) => {
      const storage = await session.storage();
      const details = await botDetails(storage, await requireBot(storage, botId));
      if (options.json === true) return session.json(details);
      const { bot, draft, published } = details;
      const runs = details.runs === "v2" ? `V2 version ${published?.versionNumber ?? "?"}` : describeRuns(bot);
      const rows: [string, unknown][] = [
        ["id", bot.id],
        ["name", bot.name],
        ["description", bot.description === "" ? undefined : bot.description],
        ["status", bot.status],
        ["chat runs", runs],
        ["use_workflow_v2", bot.useWorkflowV2],
        [
          "legacy_workflow",
          bot.legacyWorkflow === null ? undefined : `V1, ${nodeCount(bot.legacyWorkflow) ?? "?"} nodes`,
        ],
        [
          "published",
          published === null ? undefined : `version ${published.versionNumber} (${published.nodes ?? "?"} nodes)`,
        ],
        [
          "draft",
          draft === null
            ? undefined
            : `revision ${draft.revision}, ${draft.nodes ?? "?"} nodes, ${draft.valid ? "valid" : `${draft.problems.length} problems`}`,
        ],
        ["documents", details.documents],
        ["created", bot.createdAt],
        ["updated", bot.updatedAt],
      ];
      session.out(formatFields(rows));
    });
}
