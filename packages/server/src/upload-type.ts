/**
 * Which uploads ingestion accepts: PDF, DOCX, HTML, Markdown and plain text, told apart by file
 * extension first and the declared MIME type second — except that a declared `text/markdown`
 * wins over a `.txt`/`.text` extension (the sender knows it wrote Markdown).
 * @module
 */

export const UPLOAD_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  htm: "text/html",
  md: "text/markdown",
  markdown: "text/markdown",
  txt: "text/plain",
  text: "text/plain",
} as const satisfies Record<string, string>;

const BY_MIME: Readonly<Record<string, string>> = {
  "application/pdf": UPLOAD_TYPES.pdf,
  [UPLOAD_TYPES.docx]: UPLOAD_TYPES.docx,
  "text/html": UPLOAD_TYPES.html,
  "application/xhtml+xml": UPLOAD_TYPES.html,
  "text/markdown": UPLOAD_TYPES.md,
  "text/x-markdown": UPLOAD_TYPES.md,
  "text/plain": UPLOAD_TYPES.txt,
};

/** The canonical MIME type of an accepted upload, or undefined when it is not one ingestion reads. */
export function uploadMimeType(filename: string, declared: string | undefined): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  const mime = declared?.split(";")[0]?.trim().toLowerCase();
  const byMime = mime === undefined ? undefined : BY_MIME[mime];
  if (extension !== undefined && Object.hasOwn(UPLOAD_TYPES, extension)) {
    const byExtension: string = UPLOAD_TYPES[extension as keyof typeof UPLOAD_TYPES];
    return byExtension === UPLOAD_TYPES.txt && byMime === UPLOAD_TYPES.md ? byMime : byExtension;
  }
  return byMime;
}
