/**
 * The one rule for identifiers a client sends (bot, version, run, document and key ids,
 * `session_id`, `user_id`): 1–200 characters, no control characters, no lone surrogates.
 * @module
 */
import { z } from "zod";

/** C0 and C1 controls (U+0000–U+001F, U+007F–U+009F) and lone UTF-16 surrogates. */
const NO_CONTROLS = /^[^\p{Cc}\p{Cs}]*$/u;

/**
 * An identifier field. They reach SQL text columns, log lines and HTTP headers, where NUL is
 * refused by PostgreSQL and CR/LF would split a header: refused here, with the field named.
 *
 * @example
 * params: z.object({ bot_id: identifier() })
 */
export function identifier(maxLength = 200) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .regex(NO_CONTROLS, "must not contain control characters (U+0000–U+001F, U+007F–U+009F) or lone surrogates");
}
