import TurndownService from "turndown";
import { tables } from "turndown-plugin-gfm";

/** Elements whose content is never document text. */
const DROPPED = [
  "head",
  "title",
  "meta",
  "link",
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "object",
  "svg",
  "form",
  "button",
] as const;

function createService(): TurndownService {
  const service = new TurndownService({ headingStyle: "atx", bulletListMarker: "-", codeBlockStyle: "fenced" });
  service.use(tables);
  service.remove([...DROPPED]);
  // Chunks are read by people and models, not rendered: no backslashes before * _ [ 1. etc.
  service.escape = (text: string) => text;
  // Images carry no text for retrieval beyond their alt text.
  service.addRule("image", { filter: "img", replacement: (_content, node) => imageAlt(node) });
  return service;
}

function imageAlt(node: TurndownService.Node): string {
  const alt = (node as unknown as { getAttribute(name: string): string | null }).getAttribute("alt")?.trim();
  return alt ? alt : "";
}

let service: TurndownService | undefined;

/**
 * A web page or HTML fragment as Markdown (turndown + GFM tables): tags, scripts and styles gone,
 * headings as ATX `#` lines (so chunks keep them as metadata), lists, links and tables kept.
 *
 * @example
 * htmlToMarkdown("<h1>Returns</h1><p>Within <b>30 days</b>.</p>"); // "# Returns\n\nWithin **30 days**."
 */
export function htmlToMarkdown(html: string): string {
  service ??= createService();
  return service.turndown(html).trim();
}
