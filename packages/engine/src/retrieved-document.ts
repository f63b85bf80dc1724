/**
 * The `documents` value the knowledge node outputs, and its rendering as citable context text.
 * @module
 */

/** One retrieved chunk as it travels between nodes (a `documents` port holds an array of these). */
export interface RetrievedDocument {
  readonly content: string;
  /** Cosine similarity to the query (1 = same direction). */
  readonly score: number;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly document_id: string;
  readonly chunk_index: number;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * A short human label for where a chunk comes from: `file.pdf p.3`, `file.pdf pp.3–4`,
 * `guide.docx § Install`, or the document id when nothing better is known.
 */
export function sourceLabel(doc: Pick<RetrievedDocument, "metadata" | "document_id">): string {
  const meta = doc.metadata;
  const name =
    typeof meta.filename === "string" && meta.filename !== ""
      ? meta.filename
      : typeof meta.source === "string" && meta.source !== ""
        ? meta.source
        : doc.document_id;
  const page = positiveInt(meta.page);
  const pageEnd = positiveInt(meta.page_end);
  if (page !== undefined)
    return pageEnd !== undefined && pageEnd > page ? `${name} pp.${page}–${pageEnd}` : `${name} p.${page}`;
  if (typeof meta.heading === "string" && meta.heading !== "") return `${name} § ${meta.heading}`;
  return name;
}

/**
 * Renders documents as numbered, citable context: one block per document,
 * `[n] (label) content`, separated by blank lines. Numbers start at 1, in input order.
 *
 * @example
 * formatContext([{ content: "Refunds take 5 days.", score: 0.8, metadata: { filename: "faq.pdf", page: 3 },
 *   document_id: "d1", chunk_index: 0 }]);
 * // "[1] (faq.pdf p.3) Refunds take 5 days."
 */
export function formatContext(documents: readonly RetrievedDocument[]): string {
  return documents.map((doc, i) => `[${i + 1}] (${sourceLabel(doc)}) ${doc.content.trim()}`).join("\n\n");
}

/** Whether a value looks like a `documents` array (so a prompt can accept either text or documents). */
export function isRetrievedDocumentArray(value: unknown): value is RetrievedDocument[] {
  return (
    Array.isArray(value) &&
    value.every((d) => typeof d === "object" && d !== null && typeof (d as { content?: unknown }).content === "string")
  );
}
