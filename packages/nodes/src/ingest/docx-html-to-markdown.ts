import TurndownService from "turndown";
import { tables } from "turndown-plugin-gfm";

type Node = TurndownService.Node;

const inCell = (node: Node): boolean => {
  for (let p = node.parentNode; p; p = p.parentNode) if (p.nodeName === "TD" || p.nodeName === "TH") return true;
  return false;
};

function createService(): TurndownService {
  const service = new TurndownService({ headingStyle: "atx", bulletListMarker: "-", codeBlockStyle: "fenced" });
  service.use(tables);
  // Chunks are read by people and models, not rendered: no backslashes before * _ [ 1. etc.
  service.escape = (text: string) => text;
  // A cell keeps its paragraphs and line breaks apart as <br>, and a literal | escaped, so the row stays one line.
  service.addRule("tableCell", {
    filter: ["th", "td"],
    replacement: (content, node) => {
      const parent = node.parentNode as (Node & { childNodes: ArrayLike<unknown> }) | null;
      const index = parent ? Array.prototype.indexOf.call(parent.childNodes, node) : 0;
      const text = content
        .trim()
        .replace(/\s*\n+\s*/g, "<br>")
        .replace(/\|/g, "\\|");
      return `${index === 0 ? "| " : " "}${text} |`;
    },
  });
  service.addRule("cellLineBreak", {
    filter: (node) => node.nodeName === "BR" && inCell(node),
    replacement: () => "\n",
  });
  // Short list markers ("- ", "1. ") with children indented under their parent item.
  service.addRule("listItem", {
    filter: "li",
    replacement: (content, node) => {
      const parent = node.parentNode as (Node & { children: ArrayLike<unknown> }) | null;
      let prefix = "- ";
      if (parent?.nodeName === "OL") {
        const start = Number(
          (parent as unknown as { getAttribute(name: string): string | null }).getAttribute("start") ?? 1,
        );
        prefix = `${start + Array.prototype.indexOf.call(parent.children, node)}. `;
      }
      const body = content
        .replace(/^\n+/, "")
        .replace(/\n+$/, "\n")
        .replace(/\n/gm, `\n${" ".repeat(prefix.length)}`);
      return `${prefix}${body}${node.nextSibling && !/\n$/.test(body) ? "\n" : ""}`;
    },
  });
  return service;
}

let service: TurndownService | undefined;

/**
 * Mammoth's HTML of a DOCX as Markdown (via turndown + GFM tables): ATX headings, nested lists
 * indented under their parent item, tables as Markdown tables whose first row is the header
 * (Word rarely marks one), several paragraphs of one cell joined with `<br>`.
 *
 * @example
 * docxHtmlToMarkdown("<table><tr><td><p>Q</p></td><td><p>A</p></td></tr></table>");
 * // "| Q | A |\n| --- | --- |"
 */
export function docxHtmlToMarkdown(html: string): string {
  service ??= createService();
  return service.turndown(firstRowAsHeader(html)).trim();
}

/** Turns the cells of each table's first row into header cells: GFM tables need a header row. */
function firstRowAsHeader(html: string): string {
  return html.replace(
    /(<table[^>]*>\s*(?:<thead[^>]*>|<tbody[^>]*>)?\s*<tr[^>]*>)([\s\S]*?)(<\/tr>)/g,
    (_, open: string, row: string, close: string) =>
      `${open}${row.replace(/<td(?=[\s>])/g, "<th").replace(/<\/td>/g, "</th>")}${close}`,
  );
}
