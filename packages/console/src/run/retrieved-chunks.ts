/** A retrieved chunk as the inspector shows it. */
export interface RetrievedChunk {
  readonly content: string;
  readonly score: number | null;
  /** `faq.pdf p.3`, `guide.docx § Install`, or the document id */
  readonly source: string;
  readonly documentId: string | null;
  readonly chunkIndex: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sourceOf(meta: Record<string, unknown>, documentId: string | null): string {
  const name =
    typeof meta.filename === "string" && meta.filename !== ""
      ? meta.filename
      : typeof meta.source === "string" && meta.source !== ""
        ? meta.source
        : (documentId ?? "unknown source");
  const page = typeof meta.page === "number" ? meta.page : undefined;
  const pageEnd = typeof meta.page_end === "number" ? meta.page_end : undefined;
  if (page !== undefined)
    return pageEnd !== undefined && pageEnd > page ? `${name} pp.${page}–${pageEnd}` : `${name} p.${page}`;
  if (typeof meta.heading === "string" && meta.heading !== "") return `${name} § ${meta.heading}`;
  return name;
}

/**
 * The chunks a knowledge node retrieved (its `documents` output port), or a chat answer's
 * `sources`; `[]` when `value` holds none. Entries without text content are left out.
 */
export function retrievedChunks(value: unknown): RetrievedChunk[] {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.documents) ? value.documents : [];
  return list.flatMap((item): RetrievedChunk[] => {
    if (!isRecord(item) || typeof item.content !== "string") return [];
    const documentId = typeof item.document_id === "string" ? item.document_id : null;
    return [
      {
        content: item.content,
        score: typeof item.score === "number" ? item.score : null,
        source: sourceOf(isRecord(item.metadata) ? item.metadata : {}, documentId),
        documentId,
        chunkIndex: typeof item.chunk_index === "number" ? item.chunk_index : null,
      },
    ];
  });
}
