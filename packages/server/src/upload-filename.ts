import { z } from "zod";
import { AppError } from "./app-error.ts";

const hasControlCharacter = (name: string) =>
  [...name].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f;
  });

/** What an upload's file name may be: it is stored (PostgreSQL text holds no U+0000) and shown. */
const filenameSchema = z
  .string()
  .min(1, "is empty: name the file in Content-Disposition (filename or filename*)")
  .max(255, "is longer than 255 characters")
  .refine((name) => !hasControlCharacter(name), "must not contain control characters (U+0000–U+001F, U+007F)");

/** Decodes an RFC 8187 ext-value (`UTF-8''%ED%95%9C.md`); undefined when it is not one. */
export function decodeExtValue(value: string): string | undefined {
  const match = /^([!#$%&+^_`{}~0-9A-Za-z-]+)'[^']*'(.*)$/.exec(value.trim().replace(/^"(.*)"$/, "$1"));
  if (match === null) return undefined;
  const charset = (match[1] as string).toLowerCase();
  const encoded = match[2] as string;
  try {
    if (charset === "utf-8") return decodeURIComponent(encoded);
    if (charset === "iso-8859-1") {
      return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    }
  } catch {
    // malformed percent-encoding: not a usable name
  }
  return undefined;
}

/** The `filename*` parameter of a Content-Disposition value, decoded. */
function extendedFilename(disposition: string): string | undefined {
  const raw = /;\s*filename\*\s*=\s*("[^"]*"|[^;]*)/i.exec(disposition)?.[1];
  return raw === undefined ? undefined : decodeExtValue(raw);
}

/**
 * An upload's file name: RFC 6266's `filename*` when the part's Content-Disposition has one (it
 * wins over the plain `filename`, which clients fill with an ASCII fallback), else busboy's name.
 * A name that cannot be stored answers 400 naming `file.filename`.
 *
 * @example
 * uploadFilename("upload.txt", `form-data; name="file"; filename="upload.txt"; filename*=UTF-8''%ED%95%9C.md`); // "한.md"
 */
export function uploadFilename(busboyName: string | undefined, disposition: string | undefined): string {
  const name = (disposition !== undefined ? extendedFilename(disposition) : undefined) ?? busboyName ?? "";
  const checked = filenameSchema.safeParse(name);
  if (checked.success) return checked.data;
  const issues = checked.error.issues.map((issue) => ({ path: "file.filename", message: issue.message }));
  throw new AppError(
    400,
    "validation_error",
    `invalid upload: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    { issues },
  );
}
