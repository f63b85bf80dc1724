/**
 * Name and note fields: stored in PostgreSQL text columns, which cannot hold U+0000 (and would
 * silently replace a lone surrogate), so both are refused with the field named.
 * @module
 */
import { z } from "zod";

const SINGLE_LINE = /^[^\p{Cc}\p{Cs}]*$/u;
/** Like SINGLE_LINE, but tab, line feed and carriage return are fine in notes. */
const MULTI_LINE = /^(?:[\t\n\r]|[^\p{Cc}\p{Cs}])*$/u;

/** A one-line name: no control characters at all, no lone surrogates. */
export function singleLineText(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .regex(SINGLE_LINE, "must not contain control characters (tabs and line breaks included) or lone surrogates");
}

/** Free text such as notes or a description: tabs and line breaks allowed, other controls and lone surrogates not. */
export function multiLineText(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .regex(MULTI_LINE, "must not contain control characters other than tab, CR and LF, or lone surrogates");
}
