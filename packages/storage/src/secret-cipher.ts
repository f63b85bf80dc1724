import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { StorageError } from "./storage-error.ts";

/** The setting that holds the key, named in every error about it. */
export const SECRET_KEY_SETTING = "PORTFLOW_SECRET_KEY";

/** Bot secrets cannot be stored or read: no `PORTFLOW_SECRET_KEY` is configured. */
export class SecretKeyMissingError extends StorageError {
  override readonly name = "SecretKeyMissingError";
  constructor() {
    super(
      `bot secrets need ${SECRET_KEY_SETTING}: set it to 32 random bytes, base64 or hex ` +
        "(e.g. `openssl rand -base64 32`), then restart",
    );
  }
}

/** A stored secret could not be decrypted (another key, or a tampered row). */
export class SecretDecryptError extends StorageError {
  override readonly name = "SecretDecryptError";
}

/**
 * Parses a 32-byte key written as base64 (44 characters) or hex (64 characters).
 * @throws TypeError saying what it should look like.
 */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, "base64");
    if (bytes.byteLength === 32) return bytes;
  }
  throw new TypeError("must be 32 bytes written as base64 (44 characters) or hex (64 characters)");
}

/** One sealed value, as stored. */
export interface SealedSecret {
  readonly ciphertext: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per value; the bot id and name are the associated data, so
 * a row copied to another bot or name no longer decrypts.
 */
export class SecretCipher {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength !== 32) throw new TypeError(`${SECRET_KEY_SETTING} must be 32 bytes, not ${key.byteLength}`);
    this.#key = Buffer.from(key);
  }

  seal(botId: string, name: string, value: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(associatedData(botId, name));
    const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return { ciphertext, iv, tag: cipher.getAuthTag() };
  }

  open(botId: string, name: string, sealed: SealedSecret): string {
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, sealed.iv);
      decipher.setAAD(associatedData(botId, name));
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretDecryptError(
        `secret "${name}" of bot ${botId} cannot be decrypted: it was stored under another ${SECRET_KEY_SETTING}, or altered`,
      );
    }
  }
}

function associatedData(botId: string, name: string): Buffer {
  return Buffer.from(`portflow-secret\0${botId}\0${name}`, "utf8");
}
