import { type FencedCodeBlock, fencedCodeBlocks } from "./fenced-code-blocks.ts";
import type { DocumentSection } from "./parsed-document.ts";
import { splitText, type TextSplitterOptions } from "./recursive-text-splitter.ts";
import { stripControlCharacters } from "./strip-control-characters.ts";

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
export type ChunkDocumentOptions = Omit<TextSplitterOptions, "keepWhole">;

const SECTION_GAP = "\n\n";

/**
 * Chunks parsed sections with the recursive splitter. Sections under the same heading path are
 * chunked together (PDF pages flow into each other); a heading change always starts a new chunk.
 * Each chunk carries its page range or heading path in metadata. Control characters are removed
 * (`\n` and `\t` kept). A fenced code block that fits in `chunkSize` is never split; one that does
 * not is split at its lines, and each part is fenced again with the opening fence (language
 * included) and the closing one.
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
    text += stripControlCharacters(section.text);
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
  const fences = fencedCodeBlocks(text);
  const keepWhole = fences.map((f) => [f.start, f.end] as const);
  return splitText(text, { ...options, keepWhole }).map((span) => {
    const page = pageAt(span.start);
    const pageEnd = pageAt(span.end - 1);
    const metadata: ChunkMetadata = {
      ...(page !== undefined ? { page } : {}),
      ...(pageEnd !== undefined && page !== undefined && pageEnd > page ? { page_end: pageEnd } : {}),
      ...(headings.length > 0 ? { heading: headings.join(" > "), headings: [...headings] } : {}),
    };
    return { content: refence(span, fences), metadata };
  });
}

/** A part of a code block cut in pieces, fenced again so it reads as code with its language. */
function refence(span: { text: string; start: number; end: number }, fences: readonly FencedCodeBlock[]): string {
  let content = span.text;
  for (const fence of fences) {
    if (fence.end <= span.start || fence.start >= span.end) continue;
    if (span.start > fence.start) content = `${fence.open}\n${content}`;
    if (span.end < fence.end) content = `${content}\n${fence.close}`;
  }
  return content;
}
