import { NotFoundError } from "./storage-error.ts";

/** The SQLSTATE of a database error from `pg` or PGlite, if it has one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = "23505";

/** Turns a foreign-key violation on a bot-owned insert into a NotFoundError naming the bot. */
export function botNotFoundOnForeignKey(botId: string | null | undefined): (error: unknown) => never {
  return (error: unknown) => {
    if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`bot ${botId} does not exist`);
    throw error;
  };
}
export const FOREIGN_KEY_VIOLATION = "23503";
