import type { CallOptions } from "@portflow/engine";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { BotWorkflowVersionsTable, Database } from "./database-schema.ts";
import { clampLimit, clampOffset, type Page } from "./paging.ts";
import { FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION } from "./pg-error.ts";
import { ConflictError, InvalidWorkflowError, NotFoundError, type StoredWorkflowProblem } from "./storage-error.ts";
import { findTooDeep, fromStoredJson, MAX_STORED_JSON_DEPTH, toJsonb } from "./stored-json.ts";
import { workflowChecksum } from "./workflow-checksum.ts";

export type WorkflowVersionStatus = "draft" | "published" | "archived";

/** What validation says about a workflow; the engine's `validateWorkflow(json, registry)` result fits. */
export interface WorkflowValidationResult {
  readonly ok: boolean;
  readonly problems: readonly StoredWorkflowProblem[];
}

/** Checks workflow JSON, e.g. `(json) => validateWorkflow(json, registry)`. */
export type WorkflowValidator = (json: unknown) => WorkflowValidationResult;

/** A bot's workflow: its one draft, or a published (current) or archived (older) version. */
export interface WorkflowVersion {
  readonly id: string;
  readonly botId: string;
  readonly status: WorkflowVersionStatus;
  /** Assigned on publish: 1, 2, 3, ... per bot, gapless. Null for the draft. */
  readonly versionNumber: number | null;
  readonly schemaVersion: number;
  readonly graph: unknown;
  readonly checksum: string;
  readonly notes: string;
  /** Validation problems found when the draft was saved (always empty on published versions). */
  readonly problems: readonly StoredWorkflowProblem[];
  readonly valid: boolean;
  /** The draft's revision: starts at 1, +1 on every save. Pass it back as `expectedRevision`. */
  readonly revision: number;
  /** `"<revision>"` quoted, for an HTTP ETag / If-Match. */
  readonly etag: string;
  /** Whether this is the bot's current published version. */
  readonly current: boolean;
  readonly restoredFromVersionId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly publishedAt: Date | null;
}

export interface SaveDraftOptions extends CallOptions {
  /**
   * The draft revision the caller last read. A draft at another revision is a `ConflictError`;
   * `0` means "I expect no draft yet". Omitted: the save only creates a draft, and conflicts
   * when one already exists (unless `force`).
   */
  readonly expectedRevision?: number;
  /** Overwrite whatever draft exists (last write wins). */
  readonly force?: boolean;
  readonly notes?: string;
}

export interface PublishOptions extends CallOptions {
  /** Publish only if the draft is still at this revision. */
  readonly expectedRevision?: number;
  /** Notes for the published version (default: the draft's notes). */
  readonly notes?: string;
}

export interface ListVersionsOptions extends CallOptions {
  readonly limit?: number;
  readonly offset?: number;
}

/** What it takes to run a version of a bot's workflow: its graph and what identifies it. */
export interface VersionGraph {
  readonly id: string;
  readonly botId: string;
  /** Null for the draft. */
  readonly versionNumber: number | null;
  readonly schemaVersion: number;
  readonly graph: unknown;
  readonly checksum: string;
}

/**
 * What never changes about a published (or archived) version once it exists: enough to run it.
 * {@link WorkflowVersionRepository.getPublishedGraph} keeps these per process.
 */
export interface PublishedGraph extends VersionGraph {
  readonly versionNumber: number;
}

/** Published graphs kept per repository: a chat reads its version once per process, not once per request. */
const PUBLISHED_GRAPHS_KEPT = 512;

/** A version id, or its number (a number, or a string of digits). */
export type VersionRef = string | number;

/**
 * Draft → publish versioning of a bot's workflow. Every call is scoped by bot: a version of
 * another bot is never found, listed or restored.
 */
export interface WorkflowVersionRepository {
  getDraft(botId: string, options?: CallOptions): Promise<WorkflowVersion | undefined>;
  /**
   * Saves the draft, validated on the way in: an invalid draft is saved with its problems
   * (see `problems`, `valid`). Text is stored losslessly, U+0000 and lone surrogates included.
   * @throws ConflictError on a stale `expectedRevision`; NotFoundError for an unknown bot;
   * InvalidWorkflowError (code `too_deep`) for a graph nested deeper than MAX_STORED_JSON_DEPTH.
   */
  saveDraft(botId: string, graph: unknown, options?: SaveDraftOptions): Promise<WorkflowVersion>;
  /**
   * Publishes the draft as the next version number and makes it current; the previous current
   * version becomes `archived` (its graph never changes). The draft stays as it is.
   * A draft with the current version's checksum publishes nothing: the current version is
   * returned as it is (publishing twice is idempotent; its id is still `published_version_id`).
   * @throws InvalidWorkflowError with every problem when the draft does not validate.
   */
  publish(botId: string, options?: PublishOptions): Promise<WorkflowVersion>;
  /** Published and archived versions, newest first. */
  list(botId: string, options?: ListVersionsOptions): Promise<Page<WorkflowVersion>>;
  get(botId: string, ref: VersionRef, options?: CallOptions): Promise<WorkflowVersion | undefined>;
  getCurrent(botId: string, options?: CallOptions): Promise<WorkflowVersion | undefined>;
  /**
   * The graph of a published or archived version by id, from memory after the first read (those
   * rows never change; a bot's deletion removes them, and its runs are refused before this).
   * Undefined for an unknown id, another bot's version, or the draft (which changes: use `get`).
   */
  getPublishedGraph(botId: string, versionId: string, options?: CallOptions): Promise<PublishedGraph | undefined>;
  /**
   * The graph of any version of the bot by id, the draft included, in at most one read: a
   * published or archived version as {@link WorkflowVersionRepository.getPublishedGraph} keeps
   * it, the draft read each time (it changes). Undefined for an unknown id or another bot's version.
   */
  getVersionGraph(botId: string, versionId: string, options?: CallOptions): Promise<VersionGraph | undefined>;
  /**
   * Copies a version's graph into the draft. Overwrites the draft unless `expectedRevision` is
   * given (then a stale revision is a ConflictError).
   */
  restore(botId: string, ref: VersionRef, options?: SaveDraftOptions): Promise<WorkflowVersion>;
}

/** A published or archived version (the draft has no number yet). */
function isPublished(graph: VersionGraph): graph is PublishedGraph {
  return graph.versionNumber !== null;
}

function toVersion(row: Selectable<BotWorkflowVersionsTable>): WorkflowVersion {
  const problems = (Array.isArray(row.problems) ? fromStoredJson(row.problems) : []) as StoredWorkflowProblem[];
  return {
    id: row.id,
    botId: row.bot_id,
    status: row.status as WorkflowVersionStatus,
    versionNumber: row.version_number,
    schemaVersion: row.schema_version,
    graph: fromStoredJson(row.graph),
    checksum: row.checksum,
    notes: row.notes,
    problems,
    valid: problems.length === 0,
    revision: row.revision,
    etag: `"${row.revision}"`,
    current: row.status === "published",
    restoredFromVersionId: row.restored_from_version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
  };
}

function schemaVersionOf(graph: unknown): number {
  return typeof graph === "object" && graph !== null && (graph as { schema_version?: unknown }).schema_version === 2
    ? 2
    : 1;
}

function parseRef(ref: VersionRef): { number: number } | { id: string } {
  if (typeof ref === "number") return { number: ref };
  return /^\d{1,9}$/.test(ref) ? { number: Number(ref) } : { id: ref };
}

export class KyselyWorkflowVersionRepository implements WorkflowVersionRepository {
  /** Keyed `<bot id>/<version id>`, oldest first (a Map keeps insertion order). */
  readonly #publishedGraphs = new Map<string, PublishedGraph>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly validate: WorkflowValidator,
  ) {}

  async getPublishedGraph(
    botId: string,
    versionId: string,
    options?: CallOptions,
  ): Promise<PublishedGraph | undefined> {
    const graph = await this.getVersionGraph(botId, versionId, options);
    return graph !== undefined && isPublished(graph) ? graph : undefined;
  }

  async getVersionGraph(botId: string, versionId: string, options?: CallOptions): Promise<VersionGraph | undefined> {
    const key = `${botId}/${versionId}`;
    const kept = this.#publishedGraphs.get(key);
    if (kept !== undefined) return kept;
    const version = await this.get(botId, versionId, options);
    // `get` reads a string of digits as a version number: only the id itself counts here.
    if (version === undefined || version.id !== versionId) return undefined;
    const graph: VersionGraph = {
      id: version.id,
      botId: version.botId,
      versionNumber: version.versionNumber,
      schemaVersion: version.schemaVersion,
      graph: version.graph,
      checksum: version.checksum,
    };
    if (!isPublished(graph)) return graph;
    if (this.#publishedGraphs.size >= PUBLISHED_GRAPHS_KEPT) {
      const oldest = this.#publishedGraphs.keys().next().value;
      if (oldest !== undefined) this.#publishedGraphs.delete(oldest);
    }
    this.#publishedGraphs.set(key, graph);
    return graph;
  }

  async getDraft(botId: string, options?: CallOptions): Promise<WorkflowVersion | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .selectFrom("bot_workflow_versions")
      .selectAll()
      .where("bot_id", "=", botId)
      .where("status", "=", "draft")
      .executeTakeFirst();
    return row && toVersion(row);
  }

  async saveDraft(botId: string, graph: unknown, options: SaveDraftOptions = {}): Promise<WorkflowVersion> {
    return this.#writeDraft(botId, graph, options, null);
  }

  async #writeDraft(
    botId: string,
    graph: unknown,
    options: SaveDraftOptions,
    restoredFrom: string | null,
  ): Promise<WorkflowVersion> {
    options.signal?.throwIfAborted();
    // Before validation and hashing: PostgreSQL cannot parse jsonb this deep, and nothing should try.
    const tooDeep = findTooDeep(graph, MAX_STORED_JSON_DEPTH);
    if (tooDeep !== undefined) {
      throw new InvalidWorkflowError([
        { path: tooDeep, message: `nested deeper than ${MAX_STORED_JSON_DEPTH} levels`, code: "too_deep" },
      ]);
    }
    const validation = this.validate(graph);
    const fields = {
      schema_version: schemaVersionOf(graph),
      graph: toJsonb(graph),
      checksum: workflowChecksum(graph),
      problems: toJsonb(validation.ok ? [] : validation.problems),
      restored_from_version_id: restoredFrom,
      updated_at: new Date(),
      ...(options.notes !== undefined ? { notes: options.notes } : {}),
    };
    const { expectedRevision, force } = options;

    if (expectedRevision !== undefined && expectedRevision > 0) {
      const row = await this.db
        .updateTable("bot_workflow_versions")
        .set((eb) => ({ ...fields, revision: eb("revision", "+", 1) }))
        .where("bot_id", "=", botId)
        .where("status", "=", "draft")
        .where("revision", "=", expectedRevision)
        .returningAll()
        .executeTakeFirst();
      if (row) return toVersion(row);
      const current = await this.getDraft(botId);
      if (!current) {
        await this.#assertBot(botId);
        throw new ConflictError(`draft of bot ${botId} no longer exists (expected revision ${expectedRevision})`, 0);
      }
      throw new ConflictError(
        `draft of bot ${botId} is at revision ${current.revision}, not ${expectedRevision}: reload it and retry`,
        current.revision,
      );
    }

    try {
      const insert = this.db
        .insertInto("bot_workflow_versions")
        .values({ bot_id: botId, status: "draft", version_number: null, ...fields });
      const row = force
        ? await insert
            .onConflict((oc) =>
              oc
                .column("bot_id")
                // a literal: the conflict target's index (the one-draft partial index) is inferred
                // at plan time, which a parameter defeats once a prepared statement plans generically
                .where("status", "=", sql.lit("draft"))
                .doUpdateSet((eb) => ({ ...fields, revision: eb("bot_workflow_versions.revision", "+", 1) })),
            )
            .returningAll()
            .executeTakeFirstOrThrow()
        : await insert.returningAll().executeTakeFirstOrThrow();
      return toVersion(row);
    } catch (error) {
      const state = sqlState(error);
      if (state === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`bot ${botId} does not exist`);
      if (state === UNIQUE_VIOLATION) {
        const current = await this.getDraft(botId);
        throw new ConflictError(
          `bot ${botId} already has a draft (revision ${current?.revision ?? "?"}): pass expectedRevision to update it`,
          current?.revision,
        );
      }
      throw error;
    }
  }

  async publish(botId: string, options: PublishOptions = {}): Promise<WorkflowVersion> {
    options.signal?.throwIfAborted();
    return this.db.transaction().execute(async (trx) => {
      // The bot row lock serialises publishes of one bot: numbers stay gapless and distinct.
      const bot = await trx.selectFrom("bots").select("id").where("id", "=", botId).forUpdate().executeTakeFirst();
      if (!bot) throw new NotFoundError(`bot ${botId} does not exist`);
      const draft = await trx
        .selectFrom("bot_workflow_versions")
        .selectAll()
        .where("bot_id", "=", botId)
        .where("status", "=", "draft")
        .executeTakeFirst();
      if (!draft) throw new NotFoundError(`bot ${botId} has no draft to publish`);
      if (options.expectedRevision !== undefined && draft.revision !== options.expectedRevision) {
        throw new ConflictError(
          `draft of bot ${botId} is at revision ${draft.revision}, not ${options.expectedRevision}`,
          draft.revision,
        );
      }
      const current = await trx
        .selectFrom("bot_workflow_versions")
        .selectAll()
        .where("bot_id", "=", botId)
        .where("status", "=", "published")
        .executeTakeFirst();
      // An unchanged draft adds no version with the same graph under a new number.
      if (current !== undefined && current.checksum === draft.checksum) return toVersion(current);
      const graph = fromStoredJson(draft.graph);
      // Validated again: node types may have changed since the draft was saved.
      const validation = this.validate(graph);
      if (!validation.ok) throw new InvalidWorkflowError(validation.problems);
      const next = await this.#nextNumber(trx, botId);
      await trx
        .updateTable("bot_workflow_versions")
        .set({ status: "archived", updated_at: new Date() })
        .where("bot_id", "=", botId)
        .where("status", "=", "published")
        .execute();
      const now = new Date();
      const row = await trx
        .insertInto("bot_workflow_versions")
        .values({
          bot_id: botId,
          status: "published",
          version_number: next,
          schema_version: draft.schema_version,
          graph: toJsonb(graph),
          checksum: draft.checksum,
          notes: options.notes ?? draft.notes,
          problems: "[]",
          revision: draft.revision,
          restored_from_version_id: draft.restored_from_version_id,
          published_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("bots")
        .set({ published_version_id: row.id, updated_at: now })
        .where("id", "=", botId)
        .execute();
      return toVersion(row);
    });
  }

  async #nextNumber(trx: Transaction<Database>, botId: string): Promise<number> {
    const { max } = await trx
      .selectFrom("bot_workflow_versions")
      .select((eb) => eb.fn.max("version_number").as("max"))
      .where("bot_id", "=", botId)
      .executeTakeFirstOrThrow();
    return (max ?? 0) + 1;
  }

  async #assertBot(botId: string): Promise<void> {
    const bot = await this.db.selectFrom("bots").select("id").where("id", "=", botId).executeTakeFirst();
    if (!bot) throw new NotFoundError(`bot ${botId} does not exist`);
  }

  async list(botId: string, options: ListVersionsOptions = {}): Promise<Page<WorkflowVersion>> {
    options.signal?.throwIfAborted();
    const limit = clampLimit(options.limit, 20, 200);
    const offset = clampOffset(options.offset);
    const base = this.db
      .selectFrom("bot_workflow_versions")
      .where("bot_id", "=", botId)
      .where("status", "in", ["published", "archived"]);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy("version_number", "desc").limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toVersion), total: Number(count.n), limit, offset };
  }

  async get(botId: string, ref: VersionRef, options?: CallOptions): Promise<WorkflowVersion | undefined> {
    options?.signal?.throwIfAborted();
    const parsed = parseRef(ref);
    const query = this.db.selectFrom("bot_workflow_versions").selectAll().where("bot_id", "=", botId);
    const row = await ("number" in parsed
      ? query.where("version_number", "=", parsed.number)
      : query.where("id", "=", parsed.id)
    ).executeTakeFirst();
    return row && toVersion(row);
  }

  async getCurrent(botId: string, options?: CallOptions): Promise<WorkflowVersion | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .selectFrom("bot_workflow_versions")
      .selectAll()
      .where("bot_id", "=", botId)
      .where("status", "=", "published")
      .executeTakeFirst();
    return row && toVersion(row);
  }

  async restore(botId: string, ref: VersionRef, options: SaveDraftOptions = {}): Promise<WorkflowVersion> {
    const version = await this.get(botId, ref, options);
    if (!version || version.status === "draft") {
      throw new NotFoundError(`bot ${botId} has no published version ${String(ref)}`);
    }
    const force = options.expectedRevision === undefined ? true : (options.force ?? false);
    return this.#writeDraft(
      botId,
      version.graph,
      { ...options, force, notes: options.notes ?? `restored from version ${version.versionNumber}` },
      version.id,
    );
  }
}
