/**
 * Plain aligned text tables for terminal output.
 * @module
 */

/** One column: its header, and whether numbers line up on the right. */
export interface TableColumn {
  readonly header: string;
  readonly align?: "left" | "right";
}

/**
 * Formats rows under headers, columns padded to their widest cell and separated by two spaces.
 * Trailing spaces are trimmed; cells are single-line (line breaks become spaces).
 *
 * @example
 * formatTable([{ header: "file" }, { header: "chunks", align: "right" }], [["a.md", 3], ["b.md", 12]]);
 * // file  chunks
 * // a.md       3
 * // b.md      12
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return "-";
  if (value instanceof Date)
    return value
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
  const text = typeof value === "string" ? value : String(value);
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}

/**
 * Formats `name value` pairs as two aligned columns without a header (a record's details).
 *
 * @example
 * formatFields([["id", "b1"], ["status", "active"]]);
 * // id      b1
 * // status  active
 */
export function formatFields(fields: readonly (readonly [string, unknown])[]): string {
  return formatTable([{ header: "" }, { header: "" }], fields)
    .split("\n")
    .slice(1)
    .join("\n");
}
