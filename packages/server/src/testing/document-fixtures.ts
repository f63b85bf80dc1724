/**
 * Real PDF and DOCX files for upload tests (pdf-lib, docx: dev dependencies, so this file is not
 * part of the `./testing` barrel).
 * @module
 */
import { Document, HeadingLevel, Packer, Paragraph } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A PDF with one line of text per page. */
export async function makePdf(pages: readonly string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) pdf.addPage([612, 792]).drawText(text, { x: 50, y: 740, size: 11, font });
  return pdf.save({ useObjectStreams: false });
}

/** A DOCX with a heading and a paragraph per section. */
export async function makeDocx(sections: readonly { heading: string; text: string }[]): Promise<Uint8Array> {
  const doc = new Document({
    sections: [
      {
        children: sections.flatMap((s) => [
          new Paragraph({ text: s.heading, heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: s.text }),
        ]),
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
