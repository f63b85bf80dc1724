/**
 * V1 → V2 migration of stored bots: every bot holding a V1 workflow (`legacy_workflow`) gets the
 * upgraded V2 graph as its **draft**. The V1 JSON stays in `legacy_workflow` as the backup; nothing
 * is published and `use_workflow_v2` is never touched: switching a bot over stays a deliberate act.
 * Idempotent: a bot whose draft already holds exactly the upgraded graph (same checksum) is
 * `unchanged`.
 * @module
 */
import {
  isWorkflowV2Json,
  type NodeRegistryV2,
  UnknownV1NodeTypesError,
  upgradeV1Workflow,
  validateWorkflow,
  type WorkflowV2Json,
} from "@portflow/engine";
import { type Bot, ConflictError, NotFoundError, type Storage, workflowChecksum } from "@portflow/storage";

/**
 * What happened to one bot. `would-migrate` only in a dry run; `skipped`: the bot already runs a
 * published V2 version, so its V1 workflow is only a backup.
 */
export type MigrationAction = "would-migrate" | "migrated" | "unchanged" | "skipped" | "failed";

/** One problem that stopped (or would stop) a bot's migration, with its JSON path when it has one. */
export interface MigrationProblem {
  readonly path: string;
  readonly message: string;
}

/** One row of the migration report. */
export interface MigrationReportRow {
  readonly botId: string;
  readonly name: string;
  readonly action: MigrationAction;
  /** Nodes of the upgraded graph; absent when it could not be built. */
  readonly nodes?: number;
  readonly problems: readonly MigrationProblem[];
  /** One line: what was done, or would be. */
  readonly detail: string;
  /** The upgraded V2 graph, when it could be built. */
  readonly graph?: WorkflowV2Json;
  /** Revision of the bot's draft after the migration (or now, when nothing was written). */
  readonly draftRevision?: number;
}

export interface MigrateV1Options {
  /** Compute the report, write nothing. */
  readonly dryRun?: boolean;
  /** Migrate at most this many V1 bots (newest first). */
  readonly limit?: number;
  /** Only this bot (a NotFoundError when it does not exist or holds no V1 workflow). */
  readonly botId?: string;
  /**
   * Overwrite a draft that differs from the upgraded graph. Default false: such a bot is reported
   * `failed` and its draft (someone's work) is left alone.
   */
  readonly replaceDrafts?: boolean;
  /** Called with each row as soon as it is known. */
  readonly onRow?: (row: MigrationReportRow) => void;
  readonly signal?: AbortSignal;
}

const PAGE_SIZE = 200;
const MIGRATION_NOTES = "migrated from the V1 workflow by portflow migrate-v1";

function holdsV1(bot: Bot): boolean {
  return bot.legacyWorkflow !== null && bot.legacyWorkflow !== undefined;
}

async function* botsToMigrate(storage: Pick<Storage, "bots">, options: MigrateV1Options): AsyncGenerator<Bot> {
  if (options.botId !== undefined) {
    const bot = await storage.bots.get(options.botId, options);
    if (bot === undefined) throw new NotFoundError(`bot ${options.botId} does not exist`);
    if (!holdsV1(bot)) throw new NotFoundError(`bot ${options.botId} holds no V1 workflow (legacy_workflow is empty)`);
    yield bot;
    return;
  }
  let yielded = 0;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await storage.bots.list({
      limit: PAGE_SIZE,
      offset,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    for (const bot of page.items) {
      if (!holdsV1(bot)) continue;
      if (options.limit !== undefined && yielded >= options.limit) return;
      yielded++;
      yield bot;
    }
    if (page.items.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total) return;
  }
}

/**
 * Migrates every bot holding a V1 workflow (or only `options.botId`) and returns one report row
 * per bot. A bot that fails does not stop the others.
 *
 * @example
 * const rows = await migrateV1Workflows(storage, createNodeRegistry(), { dryRun: true });
 * const failed = rows.filter((row) => row.action === "failed");
 */
export async function migrateV1Workflows(
  storage: Pick<Storage, "bots" | "workflowVersions">,
  registry: NodeRegistryV2,
  options: MigrateV1Options = {},
): Promise<MigrationReportRow[]> {
  const rows: MigrationReportRow[] = [];
  for await (const bot of botsToMigrate(storage, options)) {
    options.signal?.throwIfAborted();
    let row: MigrationReportRow;
    try {
      row = await migrateBot(storage, registry, bot, options);
    } catch (error) {
      row = failed(bot, [{ path: "", message: error instanceof Error ? error.message : String(error) }], "error");
    }
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

function failed(
  bot: Bot,
  problems: readonly MigrationProblem[],
  detail: string,
  extra: Partial<MigrationReportRow> = {},
): MigrationReportRow {
  return { botId: bot.id, name: bot.name, action: "failed", problems, detail, ...extra };
}

async function migrateBot(
  storage: Pick<Storage, "workflowVersions">,
  registry: NodeRegistryV2,
  bot: Bot,
  options: MigrateV1Options,
): Promise<MigrationReportRow> {
  const base = { botId: bot.id, name: bot.name, problems: [] };
  if (bot.useWorkflowV2 && bot.publishedVersionId !== null) {
    return { ...base, action: "skipped", detail: "already runs a published V2 version; legacy_workflow is its backup" };
  }
  if (isWorkflowV2Json(bot.legacyWorkflow)) {
    return failed(bot, [{ path: "schema_version", message: "legacy_workflow holds V2 JSON, not a V1 workflow" }], "");
  }
  const v1 = validateWorkflow(bot.legacyWorkflow, registry);
  // `ok` is never true for V1 JSON (validateWorkflow only checks its structure): go by the problems.
  if (v1.problems.length > 0) return failed(bot, v1.problems, "the V1 workflow is invalid");

  let graph: WorkflowV2Json;
  try {
    graph = upgradeV1Workflow(bot.legacyWorkflow);
  } catch (error) {
    if (error instanceof UnknownV1NodeTypesError) {
      const problems = error.unknown.map((u) => ({
        path: "",
        message: `node "${u.nodeId}" has V1 type "${u.type}" with no V2 equivalent`,
      }));
      return failed(bot, problems, "unknown V1 node types");
    }
    throw error;
  }
  const nodes = graph.nodes.length;
  const v2 = validateWorkflow(graph, registry);
  if (!v2.ok) return failed(bot, v2.problems, "the upgraded V2 graph does not validate", { nodes, graph });

  const checksum = workflowChecksum(graph);
  const draft = await storage.workflowVersions.getDraft(bot.id, options);
  if (draft?.checksum === checksum) {
    return {
      ...base,
      action: "unchanged",
      nodes,
      graph,
      draftRevision: draft.revision,
      detail: `draft revision ${draft.revision} already holds the upgraded graph`,
    };
  }
  if (draft !== undefined && options.replaceDrafts !== true) {
    return failed(
      bot,
      [
        {
          path: "",
          message: `the bot already has a different draft (revision ${draft.revision}); it was left alone (replace it with --replace-draft)`,
        },
      ],
      "draft differs",
      { nodes, graph, draftRevision: draft.revision },
    );
  }
  if (options.dryRun === true) {
    return {
      ...base,
      action: "would-migrate",
      nodes,
      graph,
      ...(draft !== undefined && { draftRevision: draft.revision }),
      detail: draft === undefined ? "would save a new draft" : `would replace draft revision ${draft.revision}`,
    };
  }
  try {
    const saved = await storage.workflowVersions.saveDraft(bot.id, graph, {
      expectedRevision: draft?.revision ?? 0,
      notes: MIGRATION_NOTES,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    return {
      ...base,
      action: "migrated",
      nodes,
      graph,
      draftRevision: saved.revision,
      detail: `saved as draft revision ${saved.revision} (not published; use_workflow_v2 unchanged)`,
    };
  } catch (error) {
    if (error instanceof ConflictError) {
      return failed(bot, [{ path: "", message: `the draft changed meanwhile: ${error.message}` }], "conflict", {
        nodes,
        graph,
      });
    }
    throw error;
  }
}
