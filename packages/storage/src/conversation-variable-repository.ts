import type { CallOptions } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.ts";
import { fromStoredJson, toJsonb } from "./stored-json.ts";

/** A session's conversation variables, as stored. */
export interface StoredConversationVariable {
  readonly name: string;
  readonly value: unknown;
  readonly updatedAt: Date;
}

/** Conversation variables per (bot, session), in Postgres so they survive restarts. */
export interface ConversationVariableRepository {
  /** The stored values of one session (name → value); empty for a new session. */
  get(botId: string, sessionId: string, options?: CallOptions): Promise<Record<string, unknown>>;
  /** Every stored variable of one session, by name. */
  list(botId: string, sessionId: string, options?: CallOptions): Promise<StoredConversationVariable[]>;
  /** Stores the changes of one successful run, all or none. */
  apply(
    botId: string,
    sessionId: string,
    changes: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<void>;
}

export class KyselyConversationVariableRepository implements ConversationVariableRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(botId: string, sessionId: string, options?: CallOptions): Promise<Record<string, unknown>> {
    const rows = await this.list(botId, sessionId, options);
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  async list(botId: string, sessionId: string, options?: CallOptions): Promise<StoredConversationVariable[]> {
    options?.signal?.throwIfAborted();
    const rows = await this.db
      .selectFrom("conversation_variables")
      .select(["name", "value", "updated_at"])
      .where("bot_id", "=", botId)
      .where("session_id", "=", sessionId)
      .orderBy("name")
      .execute();
    return rows.map((r) => ({ name: r.name, value: fromStoredJson(r.value), updatedAt: r.updated_at }));
  }

  async apply(
    botId: string,
    sessionId: string,
    changes: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<void> {
    options?.signal?.throwIfAborted();
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    // One statement: the run's writes land together or not at all.
    await this.db
      .insertInto("conversation_variables")
      .values(entries.map(([name, value]) => ({ bot_id: botId, session_id: sessionId, name, value: toJsonb(value) })))
      .onConflict((oc) =>
        oc.columns(["bot_id", "session_id", "name"]).doUpdateSet({
          value: (eb) => eb.ref("excluded.value"),
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }
}
