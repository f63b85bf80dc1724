import type { CallOptions } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.ts";
import { botNotFoundOnForeignKey } from "./pg-error.ts";
import { type SecretCipher, SecretKeyMissingError } from "./secret-cipher.ts";

/** A stored secret as listed: its name and times, never its value. */
export interface BotSecretName {
  readonly name: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Bot secrets, encrypted at rest; values go in with `set` and come out only through `resolve`. */
export interface BotSecretRepository {
  /** Whether a key is configured (without one, `set` and `resolve` throw SecretKeyMissingError). */
  readonly canEncrypt: boolean;
  /** Stores or replaces a secret; `created` says which. Throws NotFoundError for an unknown bot. */
  set(botId: string, name: string, value: string, options?: CallOptions): Promise<{ created: boolean }>;
  /** false when the bot has no such secret. */
  delete(botId: string, name: string, options?: CallOptions): Promise<boolean>;
  list(botId: string, options?: CallOptions): Promise<BotSecretName[]>;
  /** The values of the named secrets that are set (for a run); names not set are absent. */
  resolve(botId: string, names: readonly string[], options?: CallOptions): Promise<Record<string, string>>;
}

export class KyselyBotSecretRepository implements BotSecretRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: SecretCipher | undefined,
  ) {}

  get canEncrypt(): boolean {
    return this.cipher !== undefined;
  }

  async set(botId: string, name: string, value: string, options?: CallOptions): Promise<{ created: boolean }> {
    const cipher = this.#requireCipher();
    options?.signal?.throwIfAborted();
    const sealed = cipher.seal(botId, name, value);
    const row = await this.db
      .insertInto("bot_secrets")
      .values({ bot_id: botId, name, ciphertext: sealed.ciphertext, iv: sealed.iv, tag: sealed.tag })
      .onConflict((oc) =>
        oc.columns(["bot_id", "name"]).doUpdateSet({
          ciphertext: (eb) => eb.ref("excluded.ciphertext"),
          iv: (eb) => eb.ref("excluded.iv"),
          tag: (eb) => eb.ref("excluded.tag"),
          updated_at: sql`now()`,
        }),
      )
      // xmax is 0 for a freshly inserted row, non-zero for an updated one
      .returning(sql<boolean>`(xmax = 0)`.as("created"))
      .executeTakeFirstOrThrow()
      .catch(botNotFoundOnForeignKey(botId));
    return { created: row.created };
  }

  async delete(botId: string, name: string, options?: CallOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const result = await this.db
      .deleteFrom("bot_secrets")
      .where("bot_id", "=", botId)
      .where("name", "=", name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(botId: string, options?: CallOptions): Promise<BotSecretName[]> {
    options?.signal?.throwIfAborted();
    const rows = await this.db
      .selectFrom("bot_secrets")
      .select(["name", "created_at", "updated_at"])
      .where("bot_id", "=", botId)
      .orderBy("name")
      .execute();
    return rows.map((r) => ({ name: r.name, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async resolve(botId: string, names: readonly string[], options?: CallOptions): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const cipher = this.#requireCipher();
    options?.signal?.throwIfAborted();
    const rows = await this.db
      .selectFrom("bot_secrets")
      .select(["name", "ciphertext", "iv", "tag"])
      .where("bot_id", "=", botId)
      .where("name", "in", [...names])
      .execute();
    return Object.fromEntries(
      rows.map((r) => [
        r.name,
        cipher.open(botId, r.name, {
          ciphertext: Buffer.from(r.ciphertext),
          iv: Buffer.from(r.iv),
          tag: Buffer.from(r.tag),
        }),
      ]),
    );
  }

  #requireCipher(): SecretCipher {
    if (!this.cipher) throw new SecretKeyMissingError();
    return this.cipher;
  }
}
