import { createHash, randomBytes } from "node:crypto";
import type { CallOptions } from "@portflow/engine";
import { type Kysely, type Selectable, sql } from "kysely";
import { type Bot, type BotJsonRow, botRowFromJson, toBot } from "./bot-repository.ts";
import { CompiledQueryCache } from "./compiled-query-cache.ts";
import type { ApiKeysTable, Database } from "./database-schema.ts";
import { botNotFoundOnForeignKey } from "./pg-error.ts";

/**
 * What a key may do: `admin` everything; `bot` everything of one bot; `chat` only chat with one
 * bot (safe to embed in a chat widget).
 */
export type ApiKeyScope = "admin" | "bot" | "chat";

/** Every scope, widest first. */
export const API_KEY_SCOPES: readonly ApiKeyScope[] = Object.freeze(["admin", "bot", "chat"]);

/** `created` by the CLI or the API; `env` adopted from `PORTFLOW_ADMIN_KEY` (replaced when it changes). */
export type ApiKeySource = "created" | "env";

export interface ApiKey {
  readonly id: string;
  /** The first characters of the key (`pf_Ab3dE…`), safe to show. */
  readonly prefix: string;
  readonly name: string;
  /** The bot this key may act on; null for an admin key (every bot). */
  readonly botId: string | null;
  readonly scope: ApiKeyScope;
  readonly source: ApiKeySource;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface CreatedApiKey {
  readonly key: ApiKey;
  /** The secret, `pf_` + 43 base64url characters. Shown once: only its SHA-256 is stored. */
  readonly plaintext: string;
}

export interface CreateApiKeyInput {
  readonly name: string;
  /** Omit (or null) for an admin key. */
  readonly botId?: string | null;
  /** Default: `bot` with a `botId`, else `admin`. `bot` and `chat` need a `botId`, `admin` refuses one. */
  readonly scope?: ApiKeyScope;
}

export interface AdoptApiKeyInput {
  readonly name: string;
}

export interface AdoptedApiKey {
  /** The adopted key (still revoked if it was revoked before: adopting never revives a key). */
  readonly key: ApiKey;
  /** Keys adopted earlier from another secret, revoked by this adoption. */
  readonly replaced: readonly ApiKey[];
}

/** API keys, stored as SHA-256 hashes. */
export interface ApiKeyRepository {
  create(input: CreateApiKeyInput, options?: CallOptions): Promise<CreatedApiKey>;
  /**
   * Stores the admin key chosen in the environment (`PORTFLOW_ADMIN_KEY`), hashed like any other,
   * as the one `env` key: earlier `env` keys with another secret are revoked, so rotating the
   * variable retires the old key; keys `create`d are untouched. Adopting a stored secret again
   * changes nothing. Refuses a secret without the `pf_` prefix or shorter than 19 characters.
   */
  adopt(plaintext: string, input: AdoptApiKeyInput, options?: CallOptions): Promise<AdoptedApiKey>;
  /**
   * The key a plaintext secret belongs to, if it exists and is not revoked, with its bot read in
   * the same statement (a request's key and bot cost one round trip); records its use.
   */
  verify(plaintext: string, options?: CallOptions): Promise<VerifiedApiKey | undefined>;
  /** Keys of one bot, or admin keys when `botId` is null; every key when omitted. */
  list(botId?: string | null, options?: CallOptions): Promise<ApiKey[]>;
  /** False when no such active key. */
  revoke(id: string, options?: CallOptions): Promise<boolean>;
}

export const API_KEY_PREFIX = "pf_";
const DISPLAY_PREFIX_LENGTH = 10;
/** last_used_at is written at most this often per key, so verification stays a read. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Hex SHA-256 of an API key, as stored in `api_keys.key_hash`. */
export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

/** A verified key and, unless it is an admin key, its bot as read with it. */
export interface VerifiedApiKey extends ApiKey {
  readonly bot: Bot | null;
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    botId: row.bot_id,
    scope: row.scope,
    source: row.source,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class KyselyApiKeyRepository implements ApiKeyRepository {
  readonly #queries = new CompiledQueryCache();

  constructor(private readonly db: Kysely<Database>) {}

  async create(input: CreateApiKeyInput, options?: CallOptions): Promise<CreatedApiKey> {
    options?.signal?.throwIfAborted();
    const botId = input.botId ?? null;
    const scope = input.scope ?? (botId === null ? "admin" : "bot");
    if ((scope === "admin") !== (botId === null)) {
      throw new RangeError(scope === "admin" ? "an admin key cannot have a bot" : `a ${scope} key needs a bot`);
    }
    const plaintext = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
    const row = await this.db
      .insertInto("api_keys")
      .values({
        key_hash: hashApiKey(plaintext),
        prefix: plaintext.slice(0, DISPLAY_PREFIX_LENGTH),
        name: input.name,
        bot_id: botId,
        scope,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch(botNotFoundOnForeignKey(input.botId));
    return { key: toApiKey(row), plaintext };
  }

  async adopt(plaintext: string, input: AdoptApiKeyInput, options?: CallOptions): Promise<AdoptedApiKey> {
    options?.signal?.throwIfAborted();
    if (!plaintext.startsWith(API_KEY_PREFIX) || plaintext.length < API_KEY_PREFIX.length + 16) {
      throw new RangeError(`an API key must start with ${API_KEY_PREFIX} and have at least 16 more characters`);
    }
    const keyHash = hashApiKey(plaintext);
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("api_keys")
        .values({
          key_hash: keyHash,
          prefix: plaintext.slice(0, DISPLAY_PREFIX_LENGTH),
          name: input.name,
          bot_id: null,
          scope: "admin",
          source: "env",
        })
        .onConflict((oc) => oc.column("key_hash").doNothing())
        .execute();
      const row = await trx
        .selectFrom("api_keys")
        .selectAll()
        .where("key_hash", "=", keyHash)
        .executeTakeFirstOrThrow();
      const replaced = await trx
        .updateTable("api_keys")
        .set({ revoked_at: new Date() })
        .where("source", "=", "env")
        .where("revoked_at", "is", null)
        .where("id", "<>", row.id)
        .returningAll()
        .execute();
      return { key: toApiKey(row), replaced: replaced.map(toApiKey) };
    });
  }

  async verify(plaintext: string, options?: CallOptions): Promise<VerifiedApiKey | undefined> {
    options?.signal?.throwIfAborted();
    if (!plaintext.startsWith(API_KEY_PREFIX) || plaintext.length > 200) return undefined;
    // every authenticated request comes here: built and compiled once
    const verifying = this.#queries.compile("verify", [hashApiKey(plaintext)], ([keyHash]) =>
      this.db
        .selectFrom("api_keys")
        .leftJoin("bots", "bots.id", "api_keys.bot_id")
        .selectAll("api_keys")
        // the bot as one composite value: `null` for an admin key, its row otherwise
        .select(sql<BotJsonRow | null>`CASE WHEN bots.id IS NULL THEN NULL ELSE to_jsonb(bots) END`.as("bot"))
        .where("key_hash", "=", keyHash as string)
        .where("revoked_at", "is", null),
    );
    const [row] = (await this.db.executeQuery(verifying)).rows;
    if (!row) return undefined;
    const { bot, ...keyRow } = row;
    const verified = { ...toApiKey(keyRow), bot: bot === null ? null : toBot(botRowFromJson(bot)) };
    const now = new Date();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
      return { ...verified, lastUsedAt: now };
    }
    return verified;
  }

  async list(botId?: string | null, options?: CallOptions): Promise<ApiKey[]> {
    options?.signal?.throwIfAborted();
    let query = this.db.selectFrom("api_keys").selectAll();
    if (botId === null) query = query.where("bot_id", "is", null);
    else if (botId !== undefined) query = query.where("bot_id", "=", botId);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(toApiKey);
  }

  async revoke(id: string, options?: CallOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const result = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: new Date() })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
