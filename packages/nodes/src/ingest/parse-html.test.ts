import { describe, expect, it } from "vitest";
import { detectDocumentType } from "./detect-document-type.ts";
import { parseDocument } from "./parse-document.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

const PAGE = `<!DOCTYPE html>
<html><head><title>Help</title><style>p { color: red }</style><script>track("visit")</script></head>
<body>
  <h1>Baggage</h1>
  <p>Check your allowance on the <a href="/account">account page</a>.</p>
  <h2>Carry-on</h2>
  <p>Each bag may weigh <strong>8 kg</strong>.</p>
  <ul><li>One bag</li><li>One personal item</li></ul>
</body></html>`;

describe("HTML documents", () => {
  it("become Markdown sections under their heading path: no tags, scripts or styles left", async () => {
    const parsed = await parseDocument(bytes(PAGE), { filename: "help.html" });
    expect(parsed.type).toBe("html");
    expect(parsed.sections).toEqual([
      { text: "Check your allowance on the [account page](/account).", headings: ["Baggage"] },
      {
        text: "Each bag may weigh **8 kg**.\n\n-   One bag\n-   One personal item",
        headings: ["Baggage", "Carry-on"],
      },
    ]);
    const all = parsed.sections.map((s) => s.text).join("\n");
    expect(all).not.toMatch(/<\/?[a-z]/i);
    expect(all).not.toContain("track(");
    expect(all).not.toContain("color: red");
  });

  it("are recognised by content when declared as plain text, and by their declared type", () => {
    const fragment = "<p>Log in on the account page.</p> <p>Each bag weighs 8 kg.</p> <p>Thanks.</p>";
    expect(detectDocumentType(bytes(fragment), { filename: "faq.txt", mime: "text/plain" })).toBe("html");
    expect(detectDocumentType(bytes(PAGE), { filename: "page.txt" })).toBe("html");
    expect(detectDocumentType(bytes("Hello <b>world</b>"), { mime: "text/html" })).toBe("html");
    // text that merely mentions a tag stays text; Markdown stays Markdown
    expect(detectDocumentType(bytes("Use the <br> tag for line breaks."), { filename: "a.txt" })).toBe("text");
    expect(detectDocumentType(bytes("# Title\n\n- a\n- b\n\nSee <b>this</b>."), { filename: "a.txt" })).toBe(
      "markdown",
    );
  });
});
