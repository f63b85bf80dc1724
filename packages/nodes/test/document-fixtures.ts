/**
 * Real documents generated for tests and the benchmark: multi-page PDFs (pdf-lib), a DOCX with
 * headings (docx), an encrypted PDF, and broken files.
 * @module
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A PDF whose page n (1-based) holds `pages[n-1]`, wrapped into lines. */
export async function makePdf(pages: readonly string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = pdf.addPage([612, 792]);
    let y = 740;
    for (const paragraph of text.split("\n")) {
      let line = "";
      for (const word of paragraph.split(" ")) {
        const next = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(next, 11) > 500) {
          page.drawText(line, { x: 50, y, size: 11, font });
          y -= 14;
          line = word;
        } else {
          line = next;
        }
      }
      if (line) page.drawText(line, { x: 50, y, size: 11, font });
      y -= 22;
      if (y < 40) break;
    }
  }
  return pdf.save({ useObjectStreams: false });
}

/** A PDF with pages but no text (like a scan). */
export async function makeImageOnlyPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage().drawRectangle({ x: 50, y: 50, width: 200, height: 100 });
  return pdf.save();
}

/** A PDF whose trailer names a standard security handler that the empty password does not open. */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const plain = new TextDecoder("latin1").decode(await makePdf(["secret text"]));
  const encrypted = plain.replace(
    /trailer\s*<</,
    `trailer\n<<\n/Encrypt << /Filter /Standard /V 1 /R 2 /O <${"00".repeat(32)}> /U <${"11".repeat(32)}> /P -4 >>\n/ID [<${"22".repeat(16)}> <${"22".repeat(16)}>]`,
  );
  return Uint8Array.from(encrypted, (c) => c.charCodeAt(0));
}

/**
 * One block of {@link makeDocx}: a heading, a paragraph, a bulleted list item (`level` 0 is the
 * outermost), or a table (rows of cells, each cell a list of its paragraphs).
 */
export type DocxBlock =
  | { readonly heading: 1 | 2 | 3; readonly text: string }
  | { readonly text: string }
  | { readonly bullet: number; readonly text: string }
  | { readonly table: readonly (readonly (readonly string[])[])[] };

const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

function docxBlock(b: DocxBlock): Paragraph | Table {
  if ("heading" in b) return new Paragraph({ text: b.text, heading: HEADINGS[b.heading] });
  if ("bullet" in b) return new Paragraph({ text: b.text, bullet: { level: b.bullet } });
  if ("table" in b) {
    return new Table({
      rows: b.table.map(
        (row) =>
          new TableRow({
            children: row.map((cell) => new TableCell({ children: cell.map((text) => new Paragraph({ text })) })),
          }),
      ),
    });
  }
  return new Paragraph({ text: b.text, alignment: AlignmentType.LEFT });
}

/** A DOCX with Word heading styles, bulleted lists and tables. */
export async function makeDocx(blocks: readonly DocxBlock[]): Promise<Uint8Array> {
  const doc = new Document({ sections: [{ children: blocks.map(docxBlock) }] });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/** Filler prose for page `n`, different on each page so retrieval can tell pages apart. */
export function pageText(n: number, words = 320): string {
  const topics = ["refunds", "shipping", "warranty", "accounts", "billing", "security", "returns", "support"];
  const topic = topics[n % topics.length] as string;
  const out: string[] = [`Section ${n} covers ${topic}.`];
  for (let i = 0; out.join(" ").split(" ").length < words; i++) {
    out.push(
      `Policy ${n}.${i} explains how ${topic} work for customers in region ${(n * 7 + i) % 13} and what happens next.`,
    );
    if (i % 4 === 3) out.push("\n");
  }
  return out.join(" ").replace(/ \n /g, "\n");
}
