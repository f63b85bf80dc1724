import type { CallOptions } from "@portflow/engine";
import type { Kysely, Selectable } from "kysely";
import type { BotsTable, Database } from "./database-schema.ts";
import { clampLimit, clampOffset, type Page } from "./paging.ts";
import { fromStoredJson, toJsonb } from "./stored-json.ts";

export type BotStatus = "draft" | "active" | "inactive" | "error";
export const BOT_STATUSES: readonly BotStatus[] = Object.freeze(["draft", "active", "inactive", "error"]);

export interface Bot {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: BotStatus;
  readonly useWorkflowV2: boolean;
  /** The V1 workflow JSON older clients stored, if any. */
  readonly legacyWorkflow: unknown;
  /** Free-form bot settings (model, prompts, ...) owned by the server. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The current published workflow version, if any. */
  readonly publishedVersionId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CreateBotInput {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly status?: BotStatus;
  readonly useWorkflowV2?: boolean;
  readonly legacyWorkflow?: unknown;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export type UpdateBotInput = Partial<Omit<CreateBotInput, "id">>;

export interface ListBotsOptions extends CallOptions {
  readonly limit?: number;
  readonly offset?: number;
  readonly status?: BotStatus;
}

/** Bots: the owner of every other row. Deleting a bot deletes its versions, runs, documents and chunks. */
export interface BotRepository {
  create(input: CreateBotInput, options?: CallOptions): Promise<Bot>;
  get(botId: string, options?: CallOptions): Promise<Bot | undefined>;
  list(options?: ListBotsOptions): Promise<Page<Bot>>;
  /** Undefined when the bot does not exist. */
  update(botId: string, patch: UpdateBotInput, options?: CallOptions): Promise<Bot | undefined>;
  /** True when a bot was deleted. */
  delete(botId: string, options?: CallOptions): Promise<boolean>;
}

/** A bots row as `to_jsonb(bots)` gives it: timestamps as ISO text. */
export type BotJsonRow = Omit<Selectable<BotsTable>, "created_at" | "updated_at"> & {
  readonly created_at: string;
  readonly updated_at: string;
};

/** The row of a bot read as `to_jsonb(bots)` (e.g. joined to another row) in its column form. */
export function botRowFromJson(json: BotJsonRow): Selectable<BotsTable> {
  return { ...json, created_at: new Date(json.created_at), updated_at: new Date(json.updated_at) };
}

export function toBot(row: Selectable<BotsTable>): Bot {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status as BotStatus,
    useWorkflowV2: row.use_workflow_v2,
    legacyWorkflow: fromStoredJson(row.legacy_workflow ?? null),
    settings: fromStoredJson(row.settings ?? {}) as Record<string, unknown>,
    publishedVersionId: row.published_version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function assertStatus(status: string | undefined): void {
  if (status !== undefined && !BOT_STATUSES.includes(status as BotStatus)) {
    throw new RangeError(`bot status must be one of ${BOT_STATUSES.join(", ")}, got "${status}"`);
  }
}

export class KyselyBotRepository implements BotRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: CreateBotInput, options?: CallOptions): Promise<Bot> {
    options?.signal?.throwIfAborted();
    assertStatus(input.status);
    const row = await this.db
      .insertInto("bots")
      .values({
        ...(input.id ? { id: input.id } : {}),
        name: input.name,
        description: input.description ?? "",
        status: input.status ?? "draft",
        use_workflow_v2: input.useWorkflowV2 ?? true,
        legacy_workflow: input.legacyWorkflow === undefined ? null : toJsonb(input.legacyWorkflow),
        settings: toJsonb(input.settings ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toBot(row);
  }

  async get(botId: string, options?: CallOptions): Promise<Bot | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db.selectFrom("bots").selectAll().where("id", "=", botId).executeTakeFirst();
    return row && toBot(row);
  }

  async list(options: ListBotsOptions = {}): Promise<Page<Bot>> {
    options.signal?.throwIfAborted();
    const limit = clampLimit(options.limit, 50, 500);
    const offset = clampOffset(options.offset);
    let query = this.db.selectFrom("bots");
    if (options.status) query = query.where("status", "=", options.status);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toBot), total: Number(count.n), limit, offset };
  }

  async update(botId: string, patch: UpdateBotInput, options?: CallOptions): Promise<Bot | undefined> {
    options?.signal?.throwIfAborted();
    assertStatus(patch.status);
    const row = await this.db
      .updateTable("bots")
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.useWorkflowV2 !== undefined ? { use_workflow_v2: patch.useWorkflowV2 } : {}),
        ...(patch.legacyWorkflow !== undefined ? { legacy_workflow: toJsonb(patch.legacyWorkflow) } : {}),
        ...(patch.settings !== undefined ? { settings: toJsonb(patch.settings) } : {}),
        updated_at: new Date(),
      })
      .where("id", "=", botId)
      .returningAll()
      .executeTakeFirst();
    return row && toBot(row);
  }

  async delete(botId: string, options?: CallOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const result = await this.db.deleteFrom("bots").where("id", "=", botId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
