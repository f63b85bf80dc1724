import { extractText, getDocumentProxy } from "unpdf";
import { IngestError } from "./ingest-error.ts";
import type { DocumentSection } from "./parsed-document.ts";

/**
 * PDF text per page via unpdf (PDF.js). Encrypted files, corrupt files and files over
 * `maxPages` fail with an IngestError before any text is extracted.
 */
export async function parsePdf(
  bytes: Uint8Array,
  options: { maxPages?: number; signal?: AbortSignal } = {},
): Promise<{ sections: DocumentSection[]; pageCount: number }> {
  // PDF.js takes ownership of the buffer it is given: hand it a copy.
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "PasswordException") {
      throw new IngestError("ENCRYPTED", "the PDF is password-protected; upload an unprotected copy", { cause: error });
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new IngestError("CORRUPT", `the PDF cannot be read (${detail})`, { cause: error });
  }
  try {
    const pageCount = pdf.numPages;
    if (options.maxPages !== undefined && pageCount > options.maxPages) {
      throw new IngestError("TOO_MANY_PAGES", `the PDF has ${pageCount} pages; the limit is ${options.maxPages}`, {
        limit: { name: "maxPages", value: options.maxPages, unit: "pages" },
      });
    }
    options.signal?.throwIfAborted();
    let pages: string[];
    try {
      pages = (await extractText(pdf, { mergePages: false })).text;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new IngestError("CORRUPT", `the PDF's text cannot be extracted (${detail})`, { cause: error });
    }
    const sections = pages.map((text, i) => ({ text, page: i + 1 })).filter((s) => s.text.trim() !== "");
    return { sections, pageCount };
  } finally {
    await pdf.destroy();
  }
}
