import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KyselyBotSecretRepository } from "./bot-secret-repository.ts";
import { createStorage, type Storage } from "./create-storage.ts";
import { openDatabase, type StorageDatabase } from "./open-database.ts";
import { parseSecretKey, SecretCipher, SecretDecryptError, SecretKeyMissingError } from "./secret-cipher.ts";
import { NotFoundError } from "./storage-error.ts";

const validate = () => ({ ok: true as const, problems: [] });
const KEY = randomBytes(32);
const VALUE = "sk-live-0123456789abcdef";

describe("bot secrets on PGlite", () => {
  let database: StorageDatabase;
  let storage: Storage;
  let botId: string;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: "memory://", embeddingDimensions: 4 });
    storage = createStorage(database, { validate, secretKey: KEY });
  });
  beforeEach(async () => {
    botId = (await storage.bots.create({ name: "b" })).id;
  });
  afterAll(() => storage.close());

  it("stores, replaces, lists (names only), resolves and deletes a secret", async () => {
    expect(await storage.botSecrets.set(botId, "API_KEY", VALUE)).toEqual({ created: true });
    expect(await storage.botSecrets.set(botId, "API_KEY", `${VALUE}-2`)).toEqual({ created: false });
    await storage.botSecrets.set(botId, "OTHER", "x");
    const listed = await storage.botSecrets.list(botId);
    expect(listed.map((s) => s.name)).toEqual(["API_KEY", "OTHER"]);
    expect(JSON.stringify(listed)).not.toContain(VALUE);
    expect(await storage.botSecrets.resolve(botId, ["API_KEY", "MISSING"])).toEqual({ API_KEY: `${VALUE}-2` });
    expect(await storage.botSecrets.delete(botId, "API_KEY")).toBe(true);
    expect(await storage.botSecrets.delete(botId, "API_KEY")).toBe(false);
    expect(await storage.botSecrets.resolve(botId, ["API_KEY"])).toEqual({});
  });

  it("keeps only ciphertext at rest, bound to its bot and name", async () => {
    await storage.botSecrets.set(botId, "API_KEY", VALUE);
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM bot_secrets WHERE bot_id = ${botId}`.execute(
      database.db,
    );
    expect(rows).toHaveLength(1);
    const raw = rows
      .map((r) =>
        Object.values(r)
          .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : String(v)))
          .join("|"),
      )
      .join("\n");
    expect(raw).not.toContain(VALUE);
    expect(raw).not.toContain(Buffer.from(VALUE).toString("base64"));
    // a row moved to another name no longer decrypts
    await sql`UPDATE bot_secrets SET name = 'STOLEN' WHERE bot_id = ${botId}`.execute(database.db);
    await expect(storage.botSecrets.resolve(botId, ["STOLEN"])).rejects.toBeInstanceOf(SecretDecryptError);
  });

  it("cannot read secrets under another key", async () => {
    await storage.botSecrets.set(botId, "API_KEY", VALUE);
    const other = new KyselyBotSecretRepository(database.db, new SecretCipher(randomBytes(32)));
    await expect(other.resolve(botId, ["API_KEY"])).rejects.toThrow(/stored under another PORTFLOW_SECRET_KEY/);
  });

  it("refuses to store or resolve without a key, naming PORTFLOW_SECRET_KEY, but lists and deletes", async () => {
    await storage.botSecrets.set(botId, "API_KEY", VALUE);
    const keyless = new KyselyBotSecretRepository(database.db, undefined);
    expect(keyless.canEncrypt).toBe(false);
    await expect(keyless.set(botId, "X", "y")).rejects.toBeInstanceOf(SecretKeyMissingError);
    await expect(keyless.resolve(botId, ["API_KEY"])).rejects.toThrow("PORTFLOW_SECRET_KEY");
    expect((await keyless.list(botId)).map((s) => s.name)).toEqual(["API_KEY"]);
    expect(await keyless.delete(botId, "API_KEY")).toBe(true);
  });

  it("answers NotFoundError for an unknown bot, and drops secrets with their bot", async () => {
    await expect(storage.botSecrets.set("no-such-bot", "A", "b")).rejects.toBeInstanceOf(NotFoundError);
    await storage.botSecrets.set(botId, "A", "b");
    await storage.bots.delete(botId);
    expect(await storage.botSecrets.list(botId)).toEqual([]);
  });
});

describe("parseSecretKey", () => {
  it("accepts 32 bytes as base64 or hex and refuses anything else", () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString("base64")).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString("hex")).equals(key)).toBe(true);
    expect(() => parseSecretKey(randomBytes(16).toString("base64"))).toThrow("must be 32 bytes");
    expect(() => parseSecretKey("not a key")).toThrow("must be 32 bytes");
  });
});
