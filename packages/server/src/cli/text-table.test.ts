import { describe, expect, it } from "vitest";
import { formatTable } from "./text-table.ts";

describe("formatTable", () => {
  it("pads columns to the widest cell, right-aligns numbers on request and trims line ends", () => {
    const table = formatTable(
      [{ header: "file" }, { header: "chunks", align: "right" }, { header: "note" }],
      [
        ["a.md", 3, "ok"],
        ["long-name.md", 12, undefined],
      ],
    );
    expect(table).toBe(
      ["file          chunks  note", "a.md               3  ok", "long-name.md      12  -"].join("\n"),
    );
  });

  it("keeps every cell on one line and prints dates as UTC", () => {
    const table = formatTable([{ header: "a" }, { header: "b" }], [["x\ny", new Date("2026-01-02T03:04:05.678Z")]]);
    expect(table.split("\n")[1]).toBe("x y  2026-01-02 03:04:05Z");
  });
});
