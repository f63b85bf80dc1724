import type { DocumentSection } from "./parsed-document.ts";
import { splitText, type TextSplitterOptions } from "./recursive-text-splitter.ts";

/** Where a chunk came from, stored as chunk metadata. */
export interface ChunkMetadata {
  /** First page the chunk covers (PDF). */
  readonly page?: number;
  /** Last page, when the chunk runs over a page break. */
  readonly page_end?: number;
  /** Heading path joined with ` > ` (DOCX, Markdown). */
  readonly heading?: string;
  readonly headings?: readonly string[];
}

/** A chunk of document text ready to embed. */
export interface DocumentChunk {
  readonly content: string;
  readonly metadata: ChunkMetadata;
}

/** Options of {@link chunkDocument}: sizes in characters. */
export type ChunkDocumentOptions = TextSplitterOptions;

const SECTION_GAP = "\n\n";

/**
 * Chunks parsed sections with the recursive splitter. Sections under the same heading path are
 * chunked together (PDF pages flow into each other); a heading change always starts a new chunk.
 * Each chunk carries its page range or heading path in metadata.
 *
 * @example
 * chunkDocument(parsed.sections, { chunkSize: 800, chunkOverlap: 100 });
 * // [{ content: "…", metadata: { page: 3, page_end: 4 } }, …]
 */
export function chunkDocument(
  sections: readonly DocumentSection[],
  options: ChunkDocumentOptions = {},
): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let group: DocumentSection[] = [];
  let groupKey: string | undefined;
  const flush = () => {
    if (group.length > 0) chunks.push(...chunkGroup(group, options));
    group = [];
  };
  for (const section of sections) {
    const key = JSON.stringify(section.headings ?? []);
    if (key !== groupKey) flush();
    groupKey = key;
    group.push(section);
  }
  flush();
  return chunks;
}

function chunkGroup(sections: readonly DocumentSection[], options: ChunkDocumentOptions): DocumentChunk[] {
  const starts: { offset: number; page: number | undefined }[] = [];
  let text = "";
  for (const section of sections) {
    if (text !== "") text += SECTION_GAP;
    starts.push({ offset: text.length, page: section.page });
    text += section.text;
  }
  const pageAt = (offset: number): number | undefined => {
    let page: number | undefined;
    for (const start of starts) {
      if (start.offset > offset) break;
      page = start.page;
    }
    return page;
  };
  const headings = sections[0]?.headings ?? [];
  return splitText(text, options).map((span) => {
    const page = pageAt(span.start);
    const pageEnd = pageAt(span.end - 1);
    const metadata: ChunkMetadata = {
      ...(page !== undefined ? { page } : {}),
      ...(pageEnd !== undefined && page !== undefined && pageEnd > page ? { page_end: pageEnd } : {}),
      ...(headings.length > 0 ? { heading: headings.join(" > "), headings: [...headings] } : {}),
    };
    return { content: span.text, metadata };
  });
}
